import * as fs from "node:fs";
import { accessSync, appendFileSync, chmodSync, chownSync, closeSync, constants, copyFileSync, createReadStream, createWriteStream, existsSync, fchmodSync, fchownSync, fstatSync, fsyncSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, statfsSync, symlinkSync, unlinkSync, utimesSync, watch, writeFileSync, writeSync } from "node:fs";
import { basename, delimiter, dirname, extname, isAbsolute, join, normalize, posix, relative, resolve, sep } from "node:path";
import Database from "better-sqlite3";
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { lstat, mkdir, open, readdir, readlink, rename, rm, stat, writeFile } from "node:fs/promises";
import { EventEmitter, once } from "node:events";
import { arch, availableParallelism, constants as constants$1, cpus, homedir, hostname, release, tmpdir, totalmem } from "node:os";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { createGunzip } from "node:zlib";
import * as tar from "tar-stream";
import { setTimeout as setTimeout$1 } from "node:timers/promises";
import * as http from "node:http";
import { ServerResponse, createServer } from "node:http";
import * as https from "node:https";
import { TLSSocket } from "node:tls";
import { Worker } from "node:worker_threads";
import { lookup } from "node:dns/promises";
import { connect, isIP } from "node:net";
import { WebSocketServer } from "ws";
import Docker from "dockerode";
// \0rolldown/runtime.js
var __defProp = Object.defineProperty;
var __esmMin = (fn, res, err) => () => {
	if (err) throw err[0];
	try {
		return fn && (res = fn(fn = 0)), res;
	} catch (e) {
		throw err = [e], e;
	}
};
var __exportAll = (all, no_symbols) => {
	let target = {};
	for (var name in all) __defProp(target, name, {
		get: all[name],
		enumerable: true
	});
	if (!no_symbols) __defProp(target, Symbol.toStringTag, { value: "Module" });
	return target;
};
// src/shared/errors.ts
function isErrorCode(value) {
	return typeof value === "string" && ERROR_CODES.includes(value);
}
/**
* The code of any thrown value: a StrataError's own, a plain `{ code }` object that crossed a
* boundary, a Node system error, an AbortError; walks `cause` so wrapping keeps the class.
*/
function errorCode(err) {
	for (let e = err, depth = 0; e && typeof e === "object" && depth < 8; depth++) {
		const o = e;
		if (isErrorCode(o.code)) return o.code;
		if (typeof o.code === "string" && SYSTEM_CODES[o.code]) return SYSTEM_CODES[o.code];
		if (o.name === "AbortError" || o.name === "TimeoutError") return o.name === "AbortError" ? "canceled" : "deadline-exceeded";
		e = o.cause;
	}
	return "internal";
}
/** The details of the nearest StrataError in the cause chain. */
function errorDetails(err) {
	for (let e = err, depth = 0; e && typeof e === "object" && depth < 8; depth++) {
		const o = e;
		if (o.details && typeof o.details === "object") return o.details;
		e = o.cause;
	}
}
/** Any thrown value as plain data, one line of message as the CLI prints it. */
function toErrorData(err) {
	const message = err instanceof Error ? err.message : String(err);
	const details = errorDetails(err);
	return {
		code: errorCode(err),
		message: message.split("\n")[0],
		...details ? { details } : {}
	};
}
var ERROR_CODES, StrataError, SYSTEM_CODES, HTTP_STATUS;
var init_errors$2 = __esmMin((() => {
	ERROR_CODES = [
		"invalid",
		"not-found",
		"already-exists",
		"conflict",
		"unauthorized",
		"permission-denied",
		"unavailable",
		"canceled",
		"deadline-exceeded",
		"resource-exhausted",
		"unsupported",
		"data-loss",
		"internal"
	];
	StrataError = class extends Error {
		code;
		details;
		constructor(code, message, options = {}) {
			super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
			this.name = new.target.name;
			this.code = code;
			this.details = options.details;
		}
		toJSON() {
			return {
				code: this.code,
				message: this.message,
				...this.details ? { details: this.details } : {}
			};
		}
	};
	SYSTEM_CODES = {
		ENOENT: "not-found",
		ENOTDIR: "not-found",
		EEXIST: "already-exists",
		EACCES: "permission-denied",
		EPERM: "permission-denied",
		EROFS: "permission-denied",
		ENOSPC: "resource-exhausted",
		EDQUOT: "resource-exhausted",
		ENOMEM: "resource-exhausted",
		E2BIG: "invalid",
		ELOOP: "invalid",
		EBUSY: "conflict",
		ECONNREFUSED: "unavailable",
		ECONNRESET: "unavailable",
		EHOSTUNREACH: "unavailable",
		ENETUNREACH: "unavailable",
		ENOTFOUND: "unavailable",
		EAI_AGAIN: "unavailable",
		ETIMEDOUT: "deadline-exceeded",
		ABORT_ERR: "canceled"
	};
	HTTP_STATUS = {
		invalid: 400,
		"not-found": 404,
		"already-exists": 409,
		conflict: 409,
		unauthorized: 401,
		"permission-denied": 403,
		unavailable: 503,
		canceled: 499,
		"deadline-exceeded": 504,
		"resource-exhausted": 507,
		unsupported: 501,
		"data-loss": 400,
		internal: 500
	};
}));
// src/main/engine/metadata/migrations.ts
var CORE_MIGRATIONS;
var init_migrations$1 = __esmMin((() => {
	CORE_MIGRATIONS = [
		`
  CREATE TABLE blobs (
    digest      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
  ) STRICT;

  -- A layer is identified by its diff ID (digest of the uncompressed tar).
  CREATE TABLE layers (
    diff_id      TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,          -- uncompressed bytes (the tar); docker's size is diff_size (step 2)
    file_count   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
  ) STRICT;

  -- The stored forms of a layer: the same diff ID may arrive uncompressed, gzip or zstd.
  CREATE TABLE layer_blobs (
    blob_digest  TEXT PRIMARY KEY REFERENCES blobs(digest),
    diff_id      TEXT NOT NULL REFERENCES layers(diff_id),
    compression  TEXT NOT NULL CHECK (compression IN ('none', 'gzip', 'zstd'))
  ) STRICT;
  CREATE INDEX layer_blobs_diff ON layer_blobs(diff_id);

  -- The file index of a layer, recorded at ingest so trees and waste are shown without the tar.
  CREATE TABLE layer_files (
    diff_id     TEXT NOT NULL REFERENCES layers(diff_id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    type        TEXT NOT NULL,
    mode        INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    gid         INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    link_target TEXT NOT NULL DEFAULT '',
    mtime       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (diff_id, path)
  ) STRICT, WITHOUT ROWID;

  -- Image ID = digest of the config blob.
  CREATE TABLE images (
    id               TEXT PRIMARY KEY REFERENCES blobs(digest),
    manifest_digest  TEXT REFERENCES blobs(digest),
    parent_id        TEXT NOT NULL DEFAULT '',
    created          INTEGER NOT NULL,       -- unix seconds from the config
    size             INTEGER NOT NULL,       -- logical size: all layers (docker's rule since step 2)
    labels           TEXT NOT NULL DEFAULT '{}',
    added_at         INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE image_layers (
    image_id     TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    diff_id      TEXT NOT NULL REFERENCES layers(diff_id),
    blob_digest  TEXT NOT NULL REFERENCES layer_blobs(blob_digest),
    chain_id     TEXT NOT NULL,
    PRIMARY KEY (image_id, position)
  ) STRICT;
  CREATE INDEX image_layers_diff ON image_layers(diff_id);
  CREATE INDEX image_layers_blob ON image_layers(blob_digest);

  -- Fully normalised references: docker.io/library/alpine:latest. One reference names one image.
  CREATE TABLE tags (
    reference   TEXT PRIMARY KEY,
    repository  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tags_image ON tags(image_id);

  -- repo@digest references (RepoDigests), recorded on pull/push/load.
  CREATE TABLE repo_digests (
    repository  TEXT NOT NULL,
    digest      TEXT NOT NULL,
    image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    PRIMARY KEY (repository, digest)
  ) STRICT;
  CREATE INDEX repo_digests_image ON repo_digests(image_id);

  -- Leases keep content written by an operation in progress safe from gc: while a lease's process
  -- lives, blob files newer than the lease are not swept even though no row names them yet.
  CREATE TABLE leases (
    id          TEXT PRIMARY KEY,
    pid         INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;

  -- How many images use each layer (the layer's reference count).
  CREATE VIEW layer_refs AS
    SELECT l.diff_id, l.size, COUNT(DISTINCT il.image_id) AS refs
    FROM layers l LEFT JOIN image_layers il ON il.diff_id = l.diff_id
    GROUP BY l.diff_id;
  `,
		`
  CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- commit order: writers are serialised, ids never reused
    time_nano   INTEGER NOT NULL,                   -- unix nanoseconds
    type        TEXT NOT NULL,
    action      TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    attributes  TEXT NOT NULL DEFAULT '{}'
  ) STRICT;
  CREATE INDEX events_time ON events(time_nano);
  `,
		`
  ALTER TABLE layers ADD COLUMN diff_size INTEGER NOT NULL DEFAULT 0;
  UPDATE layers SET diff_size = coalesce((
    SELECT sum(CASE f.type WHEN 'file' THEN f.size WHEN 'symlink' THEN length(CAST(f.link_target AS BLOB)) ELSE 0 END)
    FROM layer_files f WHERE f.diff_id = layers.diff_id), 0);
  UPDATE images SET size = coalesce((
    SELECT sum(l.diff_size) FROM (SELECT DISTINCT diff_id FROM image_layers WHERE image_id = images.id) d
    JOIN layers l ON l.diff_id = d.diff_id), 0);
  `
	];
}));
// src/main/engine/metadata/db.ts
/**
* Opens the metadata database: WAL (readers never block the writer), foreign keys on, and the
* core migrations applied. `synchronous=NORMAL` in WAL mode is durable against process crashes
* (kill -9); blobs are fsynced before any row names them, so a lost tail after power loss can only
* leave unreferenced blobs, which gc collects.
*
* Opening writes nothing when the schema is current. On a full disk, WAL's shared-memory index
* (`strata.db-shm`) cannot be created, so the database is opened again in exclusive locking mode,
* which keeps that index in memory: reading works, writing fails with DiskFullError.
*/
function openDatabase(file) {
	let db;
	try {
		db = configure(new Database(file), false);
	} catch (err) {
		if (!isDiskFull(err, dirname(file))) throw err;
		db = configure(new Database(file), true);
	}
	ensureSpaceReserve(file);
	return db;
}
function configure(db, exclusive) {
	try {
		if (exclusive) db.pragma("locking_mode = EXCLUSIVE");
		db.pragma("busy_timeout = 10000");
		if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
		db.pragma("synchronous = NORMAL");
		db.pragma("foreign_keys = ON");
		if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_versions'").get()) db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
        service TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT`);
		migrate(db, "core", CORE_MIGRATIONS);
		return db;
	} catch (err) {
		db.close();
		throw err;
	}
}
function schemaVersion(db, service) {
	return db.prepare("SELECT version FROM schema_versions WHERE service = ?").get(service)?.version ?? 0;
}
/**
* Applies a service's versioned migrations, each in its own immediate transaction. Every service
* (core, build, containers …) owns its tables and its list, so services evolve independently.
* Never edit a shipped step: append a new one.
*/
function migrate(db, service, steps) {
	const current = schemaVersion(db, service);
	if (current > steps.length) throw new StrataError("unsupported", `store schema for ${service} is version ${current}, newer than this Strata understands (${steps.length}); upgrade Strata`);
	for (let v = current; v < steps.length; v++) db.transaction(() => {
		if (schemaVersion(db, service) !== v) return;
		db.exec(steps[v]);
		db.prepare("INSERT INTO schema_versions(service, version) VALUES (?, ?) ON CONFLICT(service) DO UPDATE SET version = excluded.version").run(service, v + 1);
	}).immediate();
}
/**
* True when `err` comes from a full disk: SQLite's SQLITE_FULL, ENOSPC, or a SQLite I/O error
* (what a failed -shm or -wal write reports) while the store's file system has no space left.
*/
function isDiskFull(err, dir) {
	const code = err?.code;
	if (typeof code === "string" && FULL_CODES.has(code)) return true;
	if (typeof code === "string" && code.startsWith("SQLITE_IOERR")) return freeBytes(dir) < RESERVE_BYTES;
	return false;
}
function freeBytes(dir) {
	try {
		const s = statfsSync(dir);
		return s.bavail * s.bsize;
	} catch {
		return Number.POSITIVE_INFINITY;
	}
}
/** The error as the user should see it: a full disk as DiskFullError, anything else unchanged. */
function explainDiskFull(err, root) {
	if (err instanceof DiskFullError) return err;
	for (let e = err, depth = 0; e && typeof e === "object" && depth < 8; depth++, e = e.cause) if (isDiskFull(e, root)) return new DiskFullError(root, { cause: err });
	return err;
}
function reservePath(dbFile) {
	return `${dbFile}.reserve`;
}
/** Creates the reserve when it is missing and the disk has room for it (never fails). */
function ensureSpaceReserve(dbFile) {
	const path = reservePath(dbFile);
	if (existsSync(path) || freeBytes(dirname(dbFile)) < 4 * RESERVE_BYTES) return;
	try {
		const fd = openSync(path, "wx", 384);
		try {
			writeSync(fd, randomBytes(RESERVE_BYTES));
		} finally {
			closeSync(fd);
		}
	} catch {
		rmSync(path, { force: true });
	}
}
/** Before a command that frees space: gives up the reserve when the disk is full. Returns whether it did. */
function releaseSpaceReserve(dbFile) {
	const path = reservePath(dbFile);
	if (!existsSync(path) || freeBytes(dirname(dbFile)) >= RESERVE_BYTES) return false;
	rmSync(path, { force: true });
	return true;
}
var FULL_CODES, DiskFullError, RESERVE_BYTES;
var init_db = __esmMin((() => {
	init_errors$2();
	init_migrations$1();
	FULL_CODES = /* @__PURE__ */ new Set([
		"SQLITE_FULL",
		"ENOSPC",
		"EDQUOT"
	]);
	DiskFullError = class extends StrataError {
		constructor(root, options = {}) {
			super("resource-exhausted", `no space left on device: the disk holding ${root} is full; free space there (strata rmi, strata image prune, strata system gc remove images and unused data) and try again`, {
				...options,
				details: { root }
			});
		}
	};
	RESERVE_BYTES = 2097152;
}));
// src/main/engine/store/digest.ts
function isDigest(value) {
	return typeof value === "string" && DIGEST_RE.test(value);
}
/** Throws a clear error unless `value` is a canonical sha256 digest. */
function assertDigest(value, what = "digest") {
	if (typeof value !== "string" || !isDigest(value)) throw new StrataError("invalid", `invalid ${what}: ${JSON.stringify(value)} (expected sha256:<64 hex digits>)`);
	return value;
}
function hexOf(digest) {
	return assertDigest(digest).slice(7);
}
function sha256Hasher() {
	return createHash("sha256");
}
function digestOf(data) {
	return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}
/**
* OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(L0|…|Ln) = sha256(ChainID(L0|…|Ln-1) + " " + DiffID(Ln)).
*/
function chainIds(diffIds) {
	const out = [];
	for (const diffId of diffIds) {
		const parent = out.at(-1);
		out.push(parent === void 0 ? diffId : digestOf(`${parent} ${diffId}`));
	}
	return out;
}
var DIGEST_RE;
var init_digest = __esmMin((() => {
	init_errors$2();
	DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
}));
// src/main/engine/store/content-store.ts
/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return err.code === "EPERM";
	}
}
/**
* True when an identical blob is already in place. Its mtime is refreshed so that, until this
* writer's caller records it, gc treats it like a fresh ingest under the caller's lease.
*/
function keepExisting(target) {
	try {
		const now = /* @__PURE__ */ new Date();
		fs.utimesSync(target, now, now);
		return true;
	} catch {
		return false;
	}
}
var DigestMismatchError, SizeMismatchError, ContentStore, BlobWriter;
var init_content_store = __esmMin((() => {
	init_digest();
	init_errors$2();
	DigestMismatchError = class extends StrataError {
		expected;
		actual;
		constructor(expected, actual) {
			super("data-loss", `digest mismatch: expected ${expected}, got ${actual}`);
			this.expected = expected;
			this.actual = actual;
		}
	};
	SizeMismatchError = class extends StrataError {
		constructor(expected, actual, digest) {
			super("data-loss", `size mismatch${digest ? ` for ${digest}` : ""}: expected ${expected} bytes, got ${actual}`);
		}
	};
	ContentStore = class {
		root;
		ingestDir;
		blobDir;
		constructor(root) {
			this.root = root;
			this.blobDir = join(root, "sha256");
			this.ingestDir = join(root, "ingest");
			fs.mkdirSync(this.blobDir, { recursive: true });
			fs.mkdirSync(this.ingestDir, { recursive: true });
		}
		path(digest) {
			return join(this.blobDir, hexOf(digest));
		}
		has(digest) {
			return fs.existsSync(this.path(digest));
		}
		/** Size in bytes, or undefined when the blob is absent. */
		size(digest) {
			try {
				return fs.statSync(this.path(digest)).size;
			} catch {
				return;
			}
		}
		read(digest, options) {
			return createReadStream(this.path(digest), options);
		}
		readBytes(digest) {
			return fs.readFileSync(this.path(digest));
		}
		/** Starts a new ingest. The caller writes bytes and then commits or aborts. */
		async writer() {
			const tmp = join(this.ingestDir, `${Date.now()}-${process.pid}-${randomBytes(6).toString("hex")}`);
			const fh = await open(tmp, "wx", 420);
			return new BlobWriter(this, tmp, fh);
		}
		/** Streams `source` into a new blob; verifies `expected` digest/size when given. */
		async ingest(source, expected) {
			const w = await this.writer();
			try {
				for await (const chunk of source) await w.write(chunk);
				return await w.commit(expected);
			} catch (err) {
				await w.abort();
				throw err;
			}
		}
		async put(data, expected) {
			const w = await this.writer();
			try {
				await w.write(typeof data === "string" ? Buffer.from(data) : data);
				return await w.commit(expected);
			} catch (err) {
				await w.abort();
				throw err;
			}
		}
		/** Removes a committed blob; missing blobs are not an error. */
		delete(digest) {
			fs.rmSync(this.path(digest), { force: true });
		}
		/** Every committed blob digest on disk. */
		async list() {
			return (await readdir(this.blobDir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
		}
		mtimeMsSync(digest) {
			try {
				return fs.statSync(this.path(digest)).mtimeMs;
			} catch {
				return;
			}
		}
		async mtimeMs(digest) {
			try {
				return (await stat(this.path(digest))).mtimeMs;
			} catch {
				return;
			}
		}
		/**
		* Removes ingest files abandoned by writers that no longer run. Each ingest file is named with
		* its writer's pid, so a live writer's file is never touched, however old or new; files with
		* unreadable names are removed once older than `graceMs`.
		*/
		async cleanIngest(options = {}) {
			const alive = options.alive ?? processAlive;
			const graceMs = options.graceMs ?? 36e5;
			let removed = 0;
			for (const name of await readdir(this.ingestDir)) {
				const p = join(this.ingestDir, name);
				const pid = Number(/^\d+-(\d+)-[0-9a-f]+$/.exec(name)?.[1] ?? NaN);
				try {
					if (Number.isInteger(pid) ? alive(pid) : Date.now() - (await stat(p)).mtimeMs < graceMs) continue;
					await rm(p, {
						force: true,
						recursive: true
					});
					removed++;
				} catch {}
			}
			return removed;
		}
		/** fsync the blob directory so a rename into it survives power loss. */
		syncBlobDir() {
			const fd = fs.openSync(this.blobDir, "r");
			try {
				fs.fsyncSync(fd);
			} finally {
				fs.closeSync(fd);
			}
		}
		async ensure() {
			await mkdir(this.blobDir, { recursive: true });
			await mkdir(this.ingestDir, { recursive: true });
		}
	};
	BlobWriter = class {
		store;
		tmpPath;
		fh;
		hash = sha256Hasher();
		written = 0;
		constructor(store, tmpPath, fh) {
			this.store = store;
			this.tmpPath = tmpPath;
			this.fh = fh;
		}
		get size() {
			return this.written;
		}
		async write(chunk) {
			if (!this.fh) throw new Error("blob writer is closed");
			this.hash.update(chunk);
			let off = 0;
			while (off < chunk.length) {
				const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off);
				off += bytesWritten;
			}
			this.written += chunk.length;
		}
		/** The digest of what was written so far, without finishing (used by callers that name blobs). */
		async commit(expected) {
			const fh = this.fh;
			if (!fh) throw new Error("blob writer is closed");
			const digest = `sha256:${this.hash.digest("hex")}`;
			try {
				if (expected?.size !== void 0 && expected.size !== this.written) throw new SizeMismatchError(expected.size, this.written, expected.digest);
				if (expected?.digest !== void 0 && assertDigest(expected.digest) !== digest) throw new DigestMismatchError(expected.digest, digest);
				await fh.sync();
			} finally {
				await fh.close();
				this.fh = void 0;
			}
			const target = this.store.path(digest);
			if (keepExisting(target)) fs.rmSync(this.tmpPath, { force: true });
			else {
				fs.renameSync(this.tmpPath, target);
				this.store.syncBlobDir();
			}
			return {
				digest,
				size: this.written
			};
		}
		async abort() {
			if (this.fh) {
				await this.fh.close().catch(() => {});
				this.fh = void 0;
			}
			await rm(this.tmpPath, { force: true });
		}
	};
}));
// src/shared/format.ts
/** Formatting shared by the CLI and the UI, so both print the same numbers (sizes and durations: units.ts). */
/** docker's 12-hex short ID (`sha256:` dropped). */
function shortId(id) {
	return id.replace(/^sha256:/, "").slice(0, 12);
}
var init_format = __esmMin((() => {}));
// src/main/engine/image/oci.ts
function layerMediaType(compression, flavour) {
	if (flavour === "oci") return compression === "gzip" ? MediaType.OciLayerGzip : compression === "zstd" ? MediaType.OciLayerZstd : MediaType.OciLayer;
	return compression === "gzip" ? MediaType.DockerLayerGzip : compression === "zstd" ? MediaType.DockerLayerZstd : MediaType.DockerLayer;
}
function isManifestMediaType(mt) {
	return mt === MediaType.OciManifest || mt === MediaType.DockerManifest;
}
function isIndexMediaType(mt) {
	return mt === MediaType.OciIndex || mt === MediaType.DockerManifestList;
}
/** Host platform in OCI terms. */
function hostPlatform() {
	return {
		os: process.platform === "win32" ? "windows" : process.platform === "darwin" ? "darwin" : "linux",
		architecture: {
			x64: "amd64",
			arm64: "arm64",
			arm: "arm",
			ia32: "386",
			ppc64: "ppc64le",
			s390x: "s390x",
			riscv64: "riscv64"
		}[process.arch] ?? process.arch
	};
}
/** Unix seconds from an RFC 3339 timestamp (0 when absent or unparsable). */
function unixSeconds(created) {
	if (!created) return 0;
	const ms = Date.parse(created);
	return Number.isFinite(ms) ? Math.floor(ms / 1e3) : 0;
}
var MediaType;
var init_oci = __esmMin((() => {
	MediaType = {
		OciManifest: "application/vnd.oci.image.manifest.v1+json",
		OciIndex: "application/vnd.oci.image.index.v1+json",
		OciConfig: "application/vnd.oci.image.config.v1+json",
		OciLayer: "application/vnd.oci.image.layer.v1.tar",
		OciLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
		OciLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
		DockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
		DockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
		DockerConfig: "application/vnd.docker.container.image.v1+json",
		DockerLayer: "application/vnd.docker.image.rootfs.diff.tar",
		DockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
		DockerLayerZstd: "application/vnd.docker.image.rootfs.diff.tar.zstd"
	};
}));
// src/shared/path-match.ts
/**
* Go's path.Match, used by `images PATTERN` and `--filter reference=` against familiar names.
* Supports `*`, `?`, `[...]` classes (with `^`/`!` negation and ranges) and `\` escapes;
* `*` and `?` never match `/`.
*/
function pathMatch(pattern, name) {
	return matchAt(pattern, 0, name, 0);
}
function matchAt(p, pi, s, si) {
	while (pi < p.length) {
		const c = p[pi];
		if (c === "*") {
			while (p[pi] === "*") pi++;
			if (pi === p.length) return !s.slice(si).includes("/");
			for (let k = si; k <= s.length; k++) {
				if (matchAt(p, pi, s, k)) return true;
				if (s[k] === "/") return false;
			}
			return false;
		}
		if (si >= s.length) return false;
		if (c === "?") {
			if (s[si] === "/") return false;
			pi++;
			si++;
			continue;
		}
		if (c === "[") {
			const r = matchClass(p, pi, s[si]);
			if (r === void 0) throw new StrataError("invalid", `syntax error in pattern: ${p}`);
			if (!r.matched || s[si] === "/") return false;
			pi = r.next;
			si++;
			continue;
		}
		let lit = c;
		if (c === "\\") {
			pi++;
			if (pi >= p.length) throw new StrataError("invalid", `syntax error in pattern: ${p}`);
			lit = p[pi];
		}
		if (s[si] !== lit) return false;
		pi++;
		si++;
	}
	return si === s.length;
}
function matchClass(p, pi, ch) {
	let i = pi + 1;
	let negate = false;
	if (p[i] === "^" || p[i] === "!") {
		negate = true;
		i++;
	}
	let matched = false;
	let first = true;
	while (i < p.length && (p[i] !== "]" || first)) {
		first = false;
		let lo = p[i];
		if (lo === "\\") lo = p[++i] ?? "";
		i++;
		let hi = lo;
		if (p[i] === "-" && p[i + 1] !== void 0 && p[i + 1] !== "]") {
			hi = p[i + 1];
			if (hi === "\\") hi = p[i + 2] ?? "";
			i += hi === p[i + 1] ? 2 : 3;
		}
		if (lo === "" || hi === "") return void 0;
		if (lo <= ch && ch <= hi) matched = true;
	}
	if (p[i] !== "]") return void 0;
	return {
		matched: matched !== negate,
		next: i + 1
	};
}
var init_path_match = __esmMin((() => {
	init_errors$2();
}));
// src/main/engine/image/reference.ts
/** `docker.io/library/alpine` */
function repositoryName(ref) {
	return `${ref.domain}/${ref.path}`;
}
/** The full string: `docker.io/library/alpine:latest`, `host/a@sha256:…`, `host/a:t@sha256:…`. */
function formatReference(ref) {
	let s = repositoryName(ref);
	if (ref.tag !== void 0) s += `:${ref.tag}`;
	if (ref.digest !== void 0) s += `@${ref.digest}`;
	return s;
}
/** The familiar repository name: `alpine`, `user/repo`, `localhost:5000/a`. */
function familiarName(repository) {
	const slash = repository.indexOf("/");
	const domain = repository.slice(0, slash);
	let rest = repository.slice(slash + 1);
	if (domain !== "docker.io") return repository;
	if (rest.startsWith(OFFICIAL_REPO_PREFIX) && !rest.slice(8).includes("/")) rest = rest.slice(8);
	return rest;
}
/** The familiar string: `alpine:latest`, `user/repo@sha256:…`. */
function familiarString(ref) {
	let s = familiarName(repositoryName(ref));
	if (ref.tag !== void 0) s += `:${ref.tag}`;
	if (ref.digest !== void 0) s += `@${ref.digest}`;
	return s;
}
/** True for a full 64-hex image ID written without the algorithm (docker refuses it as a name). */
function isFullHexId(s) {
	return ANCHORED_ID.test(s);
}
function splitDomain(name) {
	const slash = name.indexOf("/");
	const first = slash === -1 ? "" : name.slice(0, slash);
	let domain;
	let path;
	if (slash === -1 || !first.includes(".") && !first.includes(":") && first !== "localhost" && first.toLowerCase() === first) {
		domain = DEFAULT_DOMAIN;
		path = name;
	} else {
		domain = first;
		path = name.slice(slash + 1);
	}
	if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
	if (domain === "docker.io" && !path.includes("/")) path = OFFICIAL_REPO_PREFIX + path;
	return {
		domain,
		path
	};
}
function validDomain(domain) {
	const m = /^(\[[a-fA-F0-9:]+\]|[^:]+)(?::([0-9]+))?$/.exec(domain);
	if (!m) return false;
	const host = m[1];
	if (host.startsWith("[")) return true;
	return host.split(".").every((c) => DOMAIN_COMPONENT.test(c));
}
/**
* Parses a reference as typed by a user. `defaultTag` adds `:latest` when neither tag nor digest
* is given (what `pull`, `run` and `tag` do); pass false to keep the reference bare (`images alpine`).
*/
function parseReference(input, options = {}) {
	const defaultTag = options.defaultTag ?? true;
	if (input === "" || input.trim() !== input) throw new InvalidReferenceError();
	let rest = input;
	let digest;
	const at = rest.indexOf("@");
	if (at !== -1) {
		digest = rest.slice(at + 1);
		rest = rest.slice(0, at);
		if (!DIGEST.test(digest)) throw new InvalidReferenceError();
		if (digest.startsWith("sha256:") && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new InvalidReferenceError();
	}
	let tag;
	const lastSlash = rest.lastIndexOf("/");
	const colon = rest.lastIndexOf(":");
	if (colon > lastSlash) {
		tag = rest.slice(colon + 1);
		rest = rest.slice(0, colon);
		if (!TAG.test(tag)) throw new InvalidReferenceError();
	}
	if (rest === "") throw new InvalidReferenceError();
	if (isFullHexId(rest) && tag === void 0 && digest === void 0) throw new InvalidReferenceError(`repository name (${rest}) cannot be a 64-byte hexadecimal string`);
	const { domain, path } = splitDomain(rest);
	if (!validDomain(domain)) throw new InvalidReferenceError();
	if (path !== path.toLowerCase()) throw new InvalidReferenceError(`repository name (${path}) must be lowercase`);
	if (!path.split("/").every((c) => PATH_COMPONENT.test(c))) throw new InvalidReferenceError();
	if (`${domain}/${path}`.length > 255) throw new InvalidReferenceError("repository name must not be more than 255 characters");
	if (tag === void 0 && digest === void 0 && defaultTag) tag = DEFAULT_TAG;
	return {
		domain,
		path,
		...tag !== void 0 ? { tag } : {},
		...digest !== void 0 ? { digest } : {}
	};
}
var DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX, DEFAULT_TAG, PATH_COMPONENT, DOMAIN_COMPONENT, TAG, DIGEST, ANCHORED_ID, InvalidReferenceError;
var init_reference = __esmMin((() => {
	init_errors$2();
	init_path_match();
	DEFAULT_DOMAIN = "docker.io";
	LEGACY_DEFAULT_DOMAIN = "index.docker.io";
	OFFICIAL_REPO_PREFIX = "library/";
	DEFAULT_TAG = "latest";
	PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
	DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
	TAG = /^[\w][\w.-]{0,127}$/;
	DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
	ANCHORED_ID = /^[a-f0-9]{64}$/;
	InvalidReferenceError = class extends StrataError {
		constructor(detail) {
			super("invalid", detail ? `invalid reference format: ${detail}` : "invalid reference format");
		}
	};
}));
// src/main/engine/events/event-log.ts
/** Unix nanoseconds: the wall clock at start, advanced by the monotonic clock (ns resolution). */
function nowNano() {
	return epochNs + process.hrtime.bigint();
}
/** docker's image event: `name` is the reference it concerns (the image ID for untag, delete, load, import, save). */
function imageEvent(action, id, name, labels = {}) {
	return {
		type: "image",
		action,
		id,
		attributes: {
			...labels,
			name
		}
	};
}
var RETENTION, epochNs, EventLog;
var init_event_log = __esmMin((() => {
	RETENTION = {
		maxRows: 1e4,
		maxAgeNs: 7n * 24n * 3600n * 1000000000n
	};
	epochNs = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();
	EventLog = class {
		db;
		recorded = /* @__PURE__ */ new Set();
		insert;
		constructor(db) {
			this.db = db;
		}
		/**
		* Appends an event inside the caller's transaction (throws outside one: an event written on its
		* own could outlive a change that rolls back, or be lost while the change stays).
		*/
		record(event) {
			if (!this.db.inTransaction) throw new Error(`event ${event.type} ${event.action} recorded outside the transaction of its change`);
			this.insert ??= this.db.prepare("INSERT INTO events(time_nano, type, action, actor_id, attributes) VALUES (?, ?, ?, ?, ?)");
			const seq = Number(this.insert.run(nowNano(), event.type, event.action, event.id, JSON.stringify(event.attributes ?? {})).lastInsertRowid);
			if (seq % 64 === 0) this.prune(seq);
			for (const fn of this.recorded) fn();
		}
		/** For what changes nothing in the store but is announced (save, push, attach, exec, kill): its own transaction. */
		announce(...events) {
			this.db.transaction(() => {
				for (const e of events) this.record(e);
			}).immediate();
		}
		/** Called after each `record` in this process (the feed then reads the committed rows). */
		onRecord(fn) {
			this.recorded.add(fn);
			return () => this.recorded.delete(fn);
		}
		/** The newest event's seq (0 when none). */
		lastSeq() {
			return this.db.prepare("SELECT coalesce(max(seq), 0) AS seq FROM events").get().seq;
		}
		/** Events after `afterSeq` (up to `upToSeq`), in order; optionally only those recorded from `sinceNano` to `untilNano`; `limit` rows at most. */
		read(query = {}) {
			return this.db.prepare(`SELECT seq, time_nano, type, action, actor_id, attributes FROM events
         WHERE seq > ? AND seq <= ? AND time_nano >= ? AND time_nano <= ? ORDER BY seq LIMIT ?`).safeIntegers(true).all(BigInt(query.afterSeq ?? 0), BigInt(query.upToSeq ?? Number.MAX_SAFE_INTEGER), query.sinceNano ?? 0n, query.untilNano ?? 9223372036854775807n, BigInt(query.limit ?? -1)).map((r) => ({
				seq: Number(r.seq),
				type: r.type,
				action: r.action,
				id: r.actor_id,
				attributes: JSON.parse(r.attributes),
				timeNano: r.time_nano
			}));
		}
		/** Drops what is older than the retention window or beyond its row count. */
		prune(seq) {
			this.db.prepare("DELETE FROM events WHERE seq <= ?").run(seq - RETENTION.maxRows);
			this.db.prepare("DELETE FROM events WHERE time_nano < ?").run(nowNano() - RETENTION.maxAgeNs);
		}
	};
}));
// src/main/engine/image/image-service.ts
/**
* Logical size of an image as docker shows it: each distinct layer's diff size counted once (a
* repeated layer is stored once).
*/
function uniqueLayerSize(layers) {
	const seen = /* @__PURE__ */ new Set();
	let total = 0;
	for (const l of layers) {
		if (seen.has(l.diffId)) continue;
		seen.add(l.diffId);
		total += l.diffSize;
	}
	return total;
}
var ImageNotFoundError, ConflictError, ImageService;
var init_image_service = __esmMin((() => {
	init_digest();
	init_format();
	init_oci();
	init_reference();
	init_event_log();
	init_errors$2();
	ImageNotFoundError = class extends StrataError {
		constructor(ref) {
			super("not-found", `No such image: ${ref}`);
		}
	};
	ConflictError = class extends StrataError {
		constructor(message) {
			super("conflict", message);
		}
	};
	ImageService = class {
		db;
		content;
		events;
		holders = [];
		constructor(db, content, events) {
			this.db = db;
			this.content = content;
			this.events = events;
		}
		addHolder(holder) {
			this.holders.push(holder);
		}
		usersOf(imageId) {
			return this.holders.flatMap((h) => h(imageId));
		}
		/**
		* Records an image whose blobs are already in the content store: every row in one transaction,
		* after checking that the config's diff IDs are exactly the layers given.
		*/
		commit(img) {
			const config = this.readConfig(img.configDigest);
			const diffIds = config.rootfs?.diff_ids ?? [];
			if (diffIds.length !== img.layers.length || diffIds.some((d, i) => d !== img.layers[i].diffId)) throw new StrataError("invalid", `layers do not match the image config: config lists ${diffIds.length} diff IDs, got ${img.layers.length} layers (${img.layers.map((l) => shortId(l.diffId)).join(", ")})`);
			const tagRefs = (img.tags ?? []).map((t) => parseReference(t));
			const chains = chainIds(diffIds);
			const size = uniqueLayerSize(img.layers);
			const now = Date.now();
			const labels = JSON.stringify(config.config?.Labels ?? {});
			this.db.transaction(() => {
				for (const d of [
					img.configDigest,
					...img.manifestDigest ? [img.manifestDigest] : [],
					...img.layers.map((l) => l.blobDigest)
				]) if (!this.content.has(d)) throw new StrataError("unavailable", `blob ${d} is missing from the store (removed by a concurrent gc); retry`);
				const putBlob = this.db.prepare("INSERT INTO blobs(digest, size, media_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
				putBlob.run(img.configDigest, img.configSize, "", now);
				if (img.manifestDigest) putBlob.run(img.manifestDigest, img.manifestSize ?? 0, img.manifestMediaType ?? "", now);
				const putLayer = this.db.prepare("INSERT INTO layers(diff_id, size, diff_size, file_count, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
				const putLayerBlob = this.db.prepare("INSERT INTO layer_blobs(blob_digest, diff_id, compression) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
				const putFile = this.db.prepare("INSERT OR REPLACE INTO layer_files(diff_id, path, type, mode, uid, gid, size, link_target, mtime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
				for (const l of img.layers) {
					putBlob.run(l.blobDigest, l.blobSize, l.mediaType ?? "", now);
					if (putLayer.run(l.diffId, l.size, l.diffSize, l.files?.length ?? 0, now).changes > 0 && l.files) for (const f of l.files) putFile.run(l.diffId, f.path, f.type, f.mode, f.uid, f.gid, f.size, f.linkTarget, f.mtime);
					putLayerBlob.run(l.blobDigest, l.diffId, l.compression);
				}
				if (!this.db.prepare("SELECT 1 FROM images WHERE id = ?").get(img.configDigest)) {
					this.db.prepare("INSERT INTO images(id, manifest_digest, parent_id, created, size, labels, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)").run(img.configDigest, img.manifestDigest ?? null, img.parentId ?? "", unixSeconds(config.created), size, labels, now);
					const putImageLayer = this.db.prepare("INSERT INTO image_layers(image_id, position, diff_id, blob_digest, chain_id) VALUES (?, ?, ?, ?, ?)");
					img.layers.forEach((l, i) => putImageLayer.run(img.configDigest, i, l.diffId, l.blobDigest, chains[i]));
				} else if (img.manifestDigest) this.db.prepare("UPDATE images SET manifest_digest = coalesce(manifest_digest, ?) WHERE id = ?").run(img.manifestDigest, img.configDigest);
				for (const ref of tagRefs) {
					this.setTag(ref, img.configDigest, now);
					if (img.tagEvents) this.events.record(imageEvent("tag", img.configDigest, familiarString(ref), config.config?.Labels ?? {}));
				}
				const putDigest = this.db.prepare("INSERT OR REPLACE INTO repo_digests(repository, digest, image_id) VALUES (?, ?, ?)");
				for (const rd of img.repoDigests ?? []) putDigest.run(rd.repository, rd.digest, img.configDigest);
				for (const e of img.events ?? []) this.events.record(e);
			}).immediate();
			return this.get(img.configDigest);
		}
		/** Points `ref` at `imageId`; returns the image it named before, if any. Call inside a transaction. */
		setTag(ref, imageId, now) {
			if (ref.tag === void 0) throw new InvalidReferenceError("a tag is required");
			const key = formatReference({
				domain: ref.domain,
				path: ref.path,
				tag: ref.tag
			});
			const prev = this.db.prepare("SELECT image_id FROM tags WHERE reference = ?").get(key);
			this.db.prepare(`INSERT INTO tags(reference, repository, tag, image_id, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(reference) DO UPDATE SET image_id = excluded.image_id, created_at = excluded.created_at`).run(key, repositoryName(ref), ref.tag, imageId, now);
			return prev?.image_id;
		}
		readConfig(imageId) {
			try {
				return JSON.parse(this.content.readBytes(imageId).toString("utf8"));
			} catch (err) {
				throw new StrataError("data-loss", `cannot read config of image ${shortId(imageId)}: ${err.message}`);
			}
		}
		readConfigBytes(imageId) {
			return this.content.readBytes(imageId);
		}
		get(id) {
			const row = this.db.prepare("SELECT * FROM images WHERE id = ?").get(id);
			return row ? this.toRecord(row) : void 0;
		}
		layers(imageId) {
			return this.db.prepare(`SELECT il.position, il.diff_id, il.chain_id, il.blob_digest, lb.compression, b.media_type, l.size, l.diff_size, b.size AS blob_size
           FROM image_layers il JOIN layers l ON l.diff_id = il.diff_id
           JOIN layer_blobs lb ON lb.blob_digest = il.blob_digest JOIN blobs b ON b.digest = il.blob_digest
           WHERE il.image_id = ? ORDER BY il.position`).all(imageId).map((r) => ({
				position: r.position,
				diffId: r.diff_id,
				chainId: r.chain_id,
				blobDigest: r.blob_digest,
				compression: r.compression,
				mediaType: r.media_type,
				size: r.size,
				diffSize: r.diff_size,
				blobSize: r.blob_size
			}));
		}
		layerFiles(diffId) {
			return this.db.prepare("SELECT path, type, mode, uid, gid, size, link_target, mtime FROM layer_files WHERE diff_id = ? ORDER BY path").all(diffId).map((r) => ({
				path: r.path,
				type: r.type,
				mode: r.mode,
				uid: r.uid,
				gid: r.gid,
				size: r.size,
				linkTarget: r.link_target,
				mtime: r.mtime
			}));
		}
		/** Every image, newest first. */
		all() {
			const rows = this.db.prepare("SELECT * FROM images ORDER BY created DESC, added_at DESC").all();
			const tags = this.tagMap();
			const digests = this.digestMap();
			return rows.map((r) => this.toRecord(r, tags.get(r.id) ?? [], digests.get(r.id) ?? []));
		}
		/** Images built on top of `id` (their parent is `id`). */
		children(id) {
			return this.db.prepare("SELECT id FROM images WHERE parent_id = ?").all(id).map((r) => r.id);
		}
		/**
		* Resolves what a user typed to an image ID, in docker's order: a full `sha256:` ID, a name
		* (with `:latest` implied), a `name@digest`, then a unique ID prefix.
		*/
		resolve(input) {
			const id = this.tryResolve(input);
			if (!id) throw new ImageNotFoundError(input);
			return id;
		}
		tryResolve(input) {
			if (isDigest(input)) return this.get(input) ? input : void 0;
			let ref;
			try {
				if (!isFullHexId(input)) ref = parseReference(input);
			} catch {
				ref = void 0;
			}
			if (ref) {
				if (ref.digest) {
					const row = this.db.prepare("SELECT image_id FROM repo_digests WHERE repository = ? AND digest = ?").get(repositoryName(ref), ref.digest);
					if (row) return row.image_id;
					const byManifest = this.db.prepare("SELECT id FROM images WHERE manifest_digest = ?").get(ref.digest);
					if (byManifest) return byManifest.id;
				} else {
					const row = this.db.prepare("SELECT image_id FROM tags WHERE reference = ?").get(formatReference(ref));
					if (row) return row.image_id;
				}
			}
			const hex = input.replace(/^sha256:/, "");
			if (/^[a-f0-9]{1,64}$/.test(hex)) {
				const rows = this.db.prepare("SELECT id FROM images WHERE id >= ? AND id < ? LIMIT 2").all(`sha256:${hex}`, `sha256:${hex}g`);
				if (rows.length === 1) return rows[0].id;
				if (rows.length > 1) throw new StrataError("invalid", `ambiguous image ID prefix ${hex}: matches more than one image`);
			}
		}
		/** `tag SOURCE TARGET`. */
		tag(source, target) {
			const id = this.resolve(source);
			const ref = parseReference(target);
			if (ref.digest) throw new InvalidReferenceError("refusing to create a tag with a digest reference");
			this.db.transaction(() => {
				this.setTag(ref, id, Date.now());
				this.events.record(imageEvent("tag", id, familiarString(ref), this.labelsOf(id)));
			}).immediate();
		}
		labelsOf(id) {
			const row = this.db.prepare("SELECT labels FROM images WHERE id = ?").get(id);
			return row ? JSON.parse(row.labels) : {};
		}
		/**
		* `rmi` with docker's rules: a name that is one of several tags is only untagged; the last
		* name (or the ID) deletes the image; an ID naming an image with several repositories, or an
		* image a container uses, needs force; an image with children is never deleted.
		* Returns the untagged/deleted items; layers are released by gc afterwards.
		*/
		remove(input, options = {}) {
			const id = this.resolve(input);
			const force = options.force ?? false;
			const items = [];
			const tags = this.tagsOf(id);
			let byName;
			try {
				if (!isFullHexId(input) && !input.startsWith("sha256:")) {
					const r = parseReference(input);
					if (!r.digest && tags.includes(formatReference(r))) byName = r;
				}
			} catch {
				byName = void 0;
			}
			const users = this.usersOf(id);
			if (byName) {
				const key = formatReference(byName);
				const held = force && (users.some((u) => u.running) || this.children(id).length > 0);
				if (tags.length > 1 || users.length > 0 && !force || held) {
					if (!force && tags.length === 1 && users.length > 0) throw new ConflictError(`conflict: unable to remove repository reference "${input}" (must force) - container ${shortId(users[0].id)} is using its referenced image ${shortId(id)}`);
					this.db.transaction(() => {
						this.db.prepare("DELETE FROM tags WHERE reference = ?").run(key);
						this.events.record(imageEvent("untag", id, id, this.labelsOf(id)));
					}).immediate();
					return [{ untagged: familiarString(byName) }];
				}
			} else if (!force) {
				if (tags.length > 1) throw new ConflictError(`conflict: unable to delete ${shortId(id)} (must be forced) - image is referenced in multiple repositories`);
				const running = users.find((u) => u.running);
				if (users.length > 0) throw new ConflictError(`conflict: unable to delete ${shortId(id)} (${running ? "cannot be forced" : "must be forced"}) - image is being used by ${running ? "running" : "stopped"} container ${shortId(users[0].id)}`);
			}
			const running = users.find((u) => u.running);
			if (running) throw new ConflictError(`conflict: unable to delete ${shortId(id)} (cannot be forced) - image is being used by running container ${shortId(running.id)}`);
			if (this.children(id).length > 0) throw new ConflictError(`conflict: unable to delete ${shortId(id)} (cannot be forced) - image has dependent child images`);
			const digests = this.repoDigestsOf(id);
			const labels = this.labelsOf(id);
			this.db.transaction(() => {
				this.db.prepare("DELETE FROM tags WHERE image_id = ?").run(id);
				this.db.prepare("DELETE FROM repo_digests WHERE image_id = ?").run(id);
				for (let i = 0; i < tags.length + digests.length; i++) this.events.record(imageEvent("untag", id, id, labels));
				if (users.length === 0) {
					this.db.prepare("DELETE FROM images WHERE id = ?").run(id);
					this.events.record(imageEvent("delete", id, id));
				}
			}).immediate();
			for (const t of tags) items.push({ untagged: familiarString(parseReference(t)) });
			for (const d of digests) items.push({ untagged: d });
			if (users.length === 0) items.push({ deleted: id });
			return items;
		}
		/** The tags of one repository (`docker.io/library/a`) in the store: `[tag, imageId]`, by tag. */
		tagsInRepository(repository) {
			const prefix = `${repository}:`;
			return this.db.prepare("SELECT reference, image_id FROM tags WHERE substr(reference, 1, ?) = ? ORDER BY reference").all(prefix.length, prefix).map((r) => [r.reference.slice(prefix.length), r.image_id]);
		}
		/** Normalised references (`docker.io/library/a:latest`) naming an image, newest first. */
		tagsOf(id) {
			return this.db.prepare("SELECT reference FROM tags WHERE image_id = ? ORDER BY created_at DESC, reference").all(id).map((r) => r.reference);
		}
		repoDigestsOf(id) {
			return this.db.prepare("SELECT repository, digest FROM repo_digests WHERE image_id = ? ORDER BY repository").all(id).map((r) => `${familiarName(r.repository)}@${r.digest}`);
		}
		tagMap() {
			const m = /* @__PURE__ */ new Map();
			for (const r of this.db.prepare("SELECT reference, image_id FROM tags ORDER BY created_at DESC, reference").all()) {
				const list = m.get(r.image_id) ?? [];
				list.push(familiarString(parseReference(r.reference)));
				m.set(r.image_id, list);
			}
			return m;
		}
		digestMap() {
			const m = /* @__PURE__ */ new Map();
			for (const r of this.db.prepare("SELECT repository, digest, image_id FROM repo_digests ORDER BY repository").all()) {
				const list = m.get(r.image_id) ?? [];
				list.push(`${familiarName(r.repository)}@${r.digest}`);
				m.set(r.image_id, list);
			}
			return m;
		}
		toRecord(row, repoTags, repoDigests) {
			return {
				id: row.id,
				manifestDigest: row.manifest_digest,
				parentId: row.parent_id,
				created: row.created,
				size: row.size,
				labels: JSON.parse(row.labels),
				repoTags: repoTags ?? this.tagsOf(row.id).map((t) => familiarString(parseReference(t))),
				repoDigests: repoDigests ?? this.repoDigestsOf(row.id)
			};
		}
	};
}));
// src/main/engine/gc/gc.ts
init_db();
init_image_service();
init_content_store();
/**
* Mark and sweep over metadata, then files. Layers no image (or other root) uses go first, then
* blob rows nothing references, then blob files with no row (left by a crash between rename and
* commit) — but never files younger than a live lease, which an ingest in progress may own.
* The row deletions are one transaction; files are unlinked after it commits, so a crash in
* between only leaves unreferenced files for the next run.
*/
var GarbageCollector = class {
	db;
	content;
	events;
	roots = [];
	constructor(db, content, events) {
		this.db = db;
		this.content = content;
		this.events = events;
	}
	addRoots(roots) {
		this.roots.push(roots);
	}
	/** Runs `fn` under a lease that protects content it writes before recording it. */
	async withLease(fn) {
		const id = randomBytes(8).toString("hex");
		this.db.prepare("INSERT INTO leases(id, pid, created_at) VALUES (?, ?, ?)").run(id, process.pid, Date.now() - 1e3);
		try {
			return await fn();
		} finally {
			this.db.prepare("DELETE FROM leases WHERE id = ?").run(id);
		}
	}
	layerRootsSql() {
		return `SELECT diff_id FROM image_layers${this.roots.filter((r) => r.layers).map((r) => ` UNION ${r.layers}`).join("")}`;
	}
	blobRootsSql() {
		const extra = this.roots.filter((r) => r.blobs).map((r) => ` UNION ${r.blobs}`).join("");
		return `SELECT id AS digest FROM images
            UNION SELECT manifest_digest FROM images WHERE manifest_digest IS NOT NULL
            UNION SELECT blob_digest FROM image_layers
            UNION SELECT lb.blob_digest FROM layer_blobs lb WHERE lb.diff_id IN (${this.layerRootsSql()})${extra}`;
	}
	/** Layers no root uses (what a collection would remove), with docker's size of each. */
	unreferencedLayers() {
		return this.db.prepare(`SELECT diff_id AS diffId, diff_size AS diffSize FROM layers WHERE diff_id NOT IN (${this.layerRootsSql()})`).all();
	}
	/** Unreferenced layers and blobs (what a collection would remove), for previews. */
	unreferencedBlobs() {
		return this.db.prepare(`SELECT digest, size FROM blobs WHERE digest NOT IN (${this.blobRootsSql()})`).all();
	}
	async collect() {
		this.reapDeadLeases();
		const { layers, layerBytes, blobs } = this.db.transaction(() => {
			const unused = this.unreferencedLayers();
			const layers = unused.map((l) => l.diffId);
			const layerBytes = unused.reduce((n, l) => n + l.diffSize, 0);
			const delLayerBlobs = this.db.prepare("DELETE FROM layer_blobs WHERE diff_id = ?");
			const delLayer = this.db.prepare("DELETE FROM layers WHERE diff_id = ?");
			for (const d of layers) {
				delLayerBlobs.run(d);
				delLayer.run(d);
				this.events.record({
					type: "layer",
					action: "delete",
					id: d
				});
			}
			const blobs = this.unreferencedBlobs();
			const delBlob = this.db.prepare("DELETE FROM blobs WHERE digest = ?");
			for (const b of blobs) delBlob.run(b.digest);
			return {
				layers,
				layerBytes,
				blobs
			};
		}).immediate();
		let bytesFreed = 0;
		const oldestLease = this.db.prepare("SELECT min(created_at) AS t FROM leases");
		const unlink = this.db.transaction((digest) => {
			if (this.db.prepare("SELECT 1 FROM blobs WHERE digest = ?").get(digest)) return 0;
			const lease = oldestLease.get().t;
			const mtime = this.content.mtimeMsSync(digest);
			if (lease !== null && mtime !== void 0 && mtime >= lease) return 0;
			const size = this.content.size(digest) ?? 0;
			this.content.delete(digest);
			return size;
		});
		for (const b of blobs) bytesFreed += unlink.immediate(b.digest);
		const orphans = await this.sweepOrphanFiles();
		bytesFreed += orphans.bytes;
		return {
			layersRemoved: layers,
			layerBytesFreed: layerBytes,
			blobsRemoved: [...blobs.map((b) => b.digest), ...orphans.digests],
			bytesFreed
		};
	}
	/** Blob files on disk that no row names. */
	async orphanFiles() {
		const known = new Set(this.db.prepare("SELECT digest FROM blobs").all().map((r) => r.digest));
		return (await this.content.list()).filter((d) => !known.has(d));
	}
	async sweepOrphanFiles() {
		const oldestLease = this.db.prepare("SELECT min(created_at) AS t FROM leases");
		const digests = [];
		let bytes = 0;
		for (const d of await this.orphanFiles()) if (this.db.transaction(() => {
			if (this.db.prepare("SELECT 1 FROM blobs WHERE digest = ?").get(d)) return false;
			const mtime = this.content.mtimeMsSync(d);
			if (mtime === void 0) return false;
			const lease = oldestLease.get().t;
			if (lease !== null && mtime >= lease) return false;
			bytes += this.content.size(d) ?? 0;
			this.content.delete(d);
			return true;
		}).immediate()) digests.push(d);
		await this.content.cleanIngest();
		return {
			digests,
			bytes
		};
	}
	/** Leases whose process is gone (crashed) protect nothing. */
	reapDeadLeases() {
		const leases = this.db.prepare("SELECT id, pid FROM leases").all();
		for (const l of leases) if (!processAlive(l.pid)) this.db.prepare("DELETE FROM leases WHERE id = ?").run(l.id);
	}
};
// src/main/engine/events/change-bus.ts
/**
* What the views hear: the store's change feed (every process's changes) as the contract's
* ChangeEvents. The feed is followed only while someone listens, so the CLI pays nothing.
*/
var ChangeBus = class {
	emitter = new EventEmitter();
	feed;
	unsubscribe;
	constructor(feed) {
		this.feed = feed;
	}
	/** A change this process made outside the store (a file edited in a container's writable layer). */
	emit(event) {
		this.emitter.emit("change", event);
	}
	on(listener) {
		this.emitter.on("change", listener);
		this.unsubscribe ??= this.feed.subscribe((e) => {
			const change = toChangeEvent(e);
			if (change) this.emit(change);
		});
		return () => {
			this.emitter.off("change", listener);
			if (this.emitter.listenerCount("change") === 0) {
				this.unsubscribe?.();
				this.unsubscribe = void 0;
			}
		};
	}
};
/** docker's event → what the views refresh; undefined for events that change nothing they show (save, push). */
function toChangeEvent(e) {
	switch (e.type) {
		case "image": return imageChange(e);
		case "container": return {
			kind: "container",
			action: CONTAINER_ACTIONS[e.action] ?? "changed",
			id: e.id
		};
		case "builder": return {
			kind: "build-cache",
			action: e.action === "prune" ? "pruned" : "changed"
		};
		case "layer": return {
			kind: "layer",
			action: "removed",
			id: e.id
		};
		case "registry": return {
			kind: "registry",
			action: e.action === "logout" ? "logout" : "login",
			id: e.id
		};
	}
}
const CONTAINER_ACTIONS = {
	create: "created",
	start: "started",
	die: "stopped",
	stop: "stopped",
	destroy: "removed",
	prune: "removed"
};
function imageChange(e) {
	switch (e.action) {
		case "tag": return {
			kind: "image",
			action: "tagged",
			id: e.id,
			ref: e.attributes.name ?? ""
		};
		case "untag": return {
			kind: "image",
			action: "untagged",
			id: e.id
		};
		case "delete":
		case "prune": return {
			kind: "image",
			action: "removed",
			id: e.id
		};
		case "pull":
		case "load":
		case "import": return {
			kind: "image",
			action: "added",
			id: e.id
		};
		default: return;
	}
}
// src/main/engine/events/feed.ts
/** The fallback check when no file notification arrives (network filesystems, a watch limit). */
const TICK_MS = 400;
const BATCH = 1e3;
/**
* Follows the event log as other processes (and this one) append to it. Another process's commit
* changes SQLite's `PRAGMA data_version` on this connection and writes the WAL beside the database,
* which a directory watch reports at once; a slow tick checks the same counter in case the watch
* misses something. Only then are the new rows read, by seq: nothing polls a table. Commits of this
* process leave data_version alone, so the log tells the feed about them (`onRecord`).
*/
var ChangeFeed = class {
	db;
	log;
	dbFile;
	subs = /* @__PURE__ */ new Set();
	watcher;
	timer;
	stopRecord;
	version = 0;
	scheduled = false;
	constructor(db, log, dbFile) {
		this.db = db;
		this.log = log;
		this.dbFile = dbFile;
	}
	/** Calls `listener` with every event after `afterSeq` (default: from now on), in order, until unsubscribed. */
	subscribe(listener, afterSeq = this.log.lastSeq()) {
		const sub = {
			cursor: afterSeq,
			listener
		};
		this.subs.add(sub);
		if (this.subs.size === 1) this.start();
		this.schedule();
		return () => {
			this.subs.delete(sub);
			if (this.subs.size === 0) this.stop();
		};
	}
	close() {
		this.subs.clear();
		this.stop();
	}
	start() {
		this.version = this.dataVersion();
		const name = basename(this.dbFile);
		try {
			this.watcher = watch(dirname(this.dbFile), { persistent: false }, (_kind, file) => {
				if (!file || file.startsWith(name)) this.check();
			});
			this.watcher.on("error", () => this.watcher?.close());
		} catch {
			this.watcher = void 0;
		}
		this.timer = setInterval(() => this.check(), TICK_MS).unref();
		this.stopRecord = this.log.onRecord(() => this.schedule());
	}
	stop() {
		this.watcher?.close();
		this.watcher = void 0;
		clearInterval(this.timer);
		this.timer = void 0;
		this.stopRecord?.();
		this.stopRecord = void 0;
	}
	dataVersion() {
		return this.db.pragma("data_version", { simple: true });
	}
	/** Another connection committed since the last look: read what it added. */
	check() {
		if (!this.db.open) return;
		const v = this.dataVersion();
		if (v === this.version) return;
		this.version = v;
		this.pump();
	}
	/**
	* After this process records: read once the transaction has ended. better-sqlite3 transactions
	* are synchronous, so a microtask runs after the commit (or rollback) and before the code that
	* awaited the change goes on: a view hears of it before the reply to the request that made it.
	*/
	schedule() {
		if (this.scheduled) return;
		this.scheduled = true;
		queueMicrotask(() => {
			this.scheduled = false;
			if (!this.db.open) return;
			if (this.db.inTransaction) setImmediate(() => this.schedule());
			else this.pump();
		});
	}
	pump() {
		if (!this.db.open) return;
		for (const sub of [...this.subs]) for (let batch = this.log.read({
			afterSeq: sub.cursor,
			limit: BATCH
		}); batch.length > 0; batch = this.log.read({
			afterSeq: sub.cursor,
			limit: BATCH
		})) {
			for (const event of batch) {
				if (!this.subs.has(sub)) return;
				sub.cursor = event.seq;
				deliver(sub, event);
			}
			if (batch.length < BATCH) break;
		}
	}
};
/** A listener that throws (a closed socket) must not stop the others or escape into a file-watch callback. */
function deliver(sub, event) {
	try {
		sub.listener(event);
	} catch (err) {
		process.emitWarning(`change feed listener failed on event ${event.seq}: ${err.message}`);
	}
}
// src/main/engine/fsck/fsck.ts
init_digest();
/**
* Verifies the store: every blob row has a file whose sha256 and size match; every image's
* config, manifest and layers exist; the config's diff IDs are the image's layers in order with
* the right chain IDs; the database passes SQLite's own integrity and foreign-key checks.
*/
async function fsck(db, content, gc) {
	const problems = [];
	const integrity = db.pragma("integrity_check", { simple: true });
	if (integrity !== "ok") problems.push({
		object: "database",
		message: `database integrity check failed: ${String(integrity)}`
	});
	for (const fk of db.pragma("foreign_key_check")) problems.push({
		object: `${fk.table}#${fk.rowid}`,
		message: `${fk.table} row ${fk.rowid} references a missing ${fk.parent} row`
	});
	const blobs = db.prepare("SELECT digest, size FROM blobs ORDER BY digest").all();
	for (const b of blobs) {
		const size = content.size(b.digest);
		if (size === void 0) {
			problems.push({
				object: b.digest,
				message: `blob ${b.digest} is recorded but its file is missing`
			});
			continue;
		}
		if (size !== b.size) problems.push({
			object: b.digest,
			message: `blob ${b.digest} has ${size} bytes, recorded ${b.size}`
		});
		const actual = await hashFile(content.path(b.digest));
		if (actual !== b.digest) problems.push({
			object: b.digest,
			message: `blob ${b.digest} is corrupt: its content hashes to ${actual}`
		});
	}
	const images = db.prepare("SELECT id FROM images ORDER BY id").all();
	for (const { id } of images) {
		if (!content.has(id)) continue;
		let config;
		try {
			config = JSON.parse(content.readBytes(id).toString("utf8"));
		} catch {
			problems.push({
				object: id,
				message: `image ${id}: config is not valid JSON`
			});
			continue;
		}
		const layers = db.prepare("SELECT diff_id, chain_id, blob_digest FROM image_layers WHERE image_id = ? ORDER BY position").all(id);
		const diffIds = config.rootfs?.diff_ids ?? [];
		const chains = chainIds(diffIds);
		if (diffIds.length !== layers.length) problems.push({
			object: id,
			message: `image ${id}: config lists ${diffIds.length} layers, store has ${layers.length}`
		});
		layers.forEach((l, i) => {
			if (l.diff_id !== diffIds[i]) problems.push({
				object: id,
				message: `image ${id}: layer ${i} is ${l.diff_id}, config says ${diffIds[i]}`
			});
			if (l.chain_id !== chains[i]) problems.push({
				object: id,
				message: `image ${id}: layer ${i} has chain ID ${l.chain_id}, expected ${chains[i]}`
			});
		});
	}
	return {
		blobsChecked: blobs.length,
		imagesChecked: images.length,
		problems,
		unreferencedFiles: await gc.orphanFiles()
	};
}
async function hashFile(path) {
	const h = sha256Hasher();
	for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk);
	return `sha256:${h.digest("hex")}`;
}
// src/main/engine/paths.ts
/**
* Where the store lives unless `--root`/`STRATA_ROOT` says otherwise: the platform's per-user
* data directory. The desktop app and the CLI use the same one, so they see the same images.
*/
function defaultRoot(env = process.env, platform = process.platform) {
	if (env.STRATA_ROOT) return env.STRATA_ROOT;
	const home = env.HOME ?? homedir();
	if (platform === "darwin") return join(home, "Library", "Application Support", "Strata");
	if (platform === "win32") return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "Strata");
	return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "strata");
}
// src/main/engine/image/list.ts
/** Parses `--filter` arguments (`key=value`) into docker's filter map. */
function parseFilters(args) {
	const out = {};
	for (const a of args) {
		const eq = a.indexOf("=");
		if (eq <= 0) throw new InvalidFilterError(a);
		const key = a.slice(0, eq).trim().toLowerCase();
		(out[key] ??= []).push(a.slice(eq + 1).trim());
	}
	return out;
}
/**
* Lists images like moby's `ImageService.Images`: filters applied in the store, tags that do not
* match a `reference` filter dropped from the row, intermediate images hidden unless `all`,
* newest first. A few aggregate queries, no per-image round trips.
*/
function listImages$1(engine, options = {}) {
	const filters = options.filters ?? {};
	for (const key of Object.keys(filters)) if (!ACCEPTED_FILTERS$1.has(key)) throw new InvalidFilterError(key);
	const danglingOnly = danglingFilter(filters);
	const before = timeBound(engine, filters.before, "oldest");
	const since = timeBound(engine, filters.since, "newest");
	const until = filters.until?.length ? Math.min(...filters.until.map((u) => untilSeconds(u, options.now ?? Date.now()))) : void 0;
	const labelFilters = filters.label ?? [];
	const refPatterns = filters.reference ?? [];
	const db = engine.db;
	const rows = db.prepare(`SELECT i.id, i.parent_id, i.created, i.size, i.labels,
         (SELECT coalesce(sum(b.size), 0) FROM blobs b WHERE b.digest IN (i.id, i.manifest_digest)) +
         coalesce((SELECT sum(b.size) FROM (SELECT DISTINCT blob_digest FROM image_layers WHERE image_id = i.id) il JOIN blobs b ON b.digest = il.blob_digest), 0) AS content
       FROM images i ORDER BY i.created DESC, i.added_at DESC`).all();
	const parents = new Set(db.prepare("SELECT DISTINCT parent_id FROM images WHERE parent_id != ''").all().map((r) => r.parent_id));
	const refs = referencesByImage(engine);
	const shared = options.sharedSize ? sharedSizes(engine) : void 0;
	const out = [];
	for (const r of rows) {
		if (before !== void 0 && !(r.created < before)) continue;
		if (since !== void 0 && !(r.created > since)) continue;
		if (until !== void 0 && !(r.created < until)) continue;
		const labels = JSON.parse(r.labels);
		if (labelFilters.length > 0 && !matchLabels$1(labelFilters, labels)) continue;
		const imageRefs = refs.get(r.id) ?? [];
		const kept = refPatterns.length > 0 ? imageRefs.filter((ref) => refPatterns.some((p) => familiarMatch(p, ref))) : imageRefs;
		const repoTags = kept.filter((x) => x.tag !== void 0).map((x) => familiarString(x));
		const repoDigests = kept.filter((x) => x.digest !== void 0).map((x) => familiarString(x));
		if (repoTags.length === 0 && repoDigests.length === 0) {
			if (refPatterns.length > 0) continue;
			if (parents.has(r.id) && (!options.all || danglingOnly)) continue;
			if (danglingOnly === false) continue;
		} else if (danglingOnly && (repoTags.length > 0 || parents.has(r.id))) continue;
		out.push({
			id: r.id,
			repoTags,
			repoDigests,
			parentId: r.parent_id,
			created: r.created,
			size: r.size,
			sharedSize: shared ? shared.get(r.id) ?? 0 : -1,
			labels,
			containers: -1,
			contentSize: r.content
		});
	}
	return out;
}
/** undefined: no dangling filter; true: only dangling; false: no dangling. */
function danglingFilter(filters) {
	const values = filters.dangling;
	if (!values || values.length === 0) return void 0;
	for (const v of values) if (v !== "true" && v !== "false") throw new InvalidFilterError("dangling", v);
	return values.includes("true");
}
/** `before`/`since` name images; several values resolve to the oldest (before) or newest (since). */
function timeBound(engine, values, pick) {
	if (!values || values.length === 0) return void 0;
	const times = values.map((v) => engine.images.get(engine.images.resolve(v)).created);
	return pick === "oldest" ? Math.min(...times) : Math.max(...times);
}
/** moby's timestamp filters: unix seconds, RFC 3339, or a Go duration before now. */
function untilSeconds(value, now) {
	if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
	const dur = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(value);
	if (dur && value !== "") {
		const secs = Number(dur[1] ?? 0) * 3600 + Number(dur[2] ?? 0) * 60 + Number(dur[3] ?? 0);
		return Math.floor(now / 1e3 - secs);
	}
	const t = Date.parse(value);
	if (!Number.isFinite(t)) throw new InvalidFilterError("until", value);
	return Math.floor(t / 1e3);
}
/** moby's MatchKVList: every `k` must exist and every `k=v` must match. */
function matchLabels$1(filters, labels) {
	return filters.every((f) => {
		const eq = f.indexOf("=");
		if (eq === -1) return Object.hasOwn(labels, f);
		const k = f.slice(0, eq);
		return Object.hasOwn(labels, k) && labels[k] === f.slice(eq + 1);
	});
}
/** distribution/reference FamiliarMatch: the pattern against `name:tag`, then against `name`. */
function familiarMatch(pattern, ref) {
	if (pathMatch(pattern, familiarString(ref))) return true;
	return pathMatch(pattern, familiarName(`${ref.domain}/${ref.path}`));
}
/** Every tag and repo digest, grouped by image, tags newest first. */
function referencesByImage(engine) {
	const m = /* @__PURE__ */ new Map();
	const add = (id, ref) => {
		const list = m.get(id);
		if (list) list.push(ref);
		else m.set(id, [ref]);
	};
	for (const r of engine.db.prepare("SELECT reference, image_id FROM tags ORDER BY created_at DESC, reference").all()) add(r.image_id, parseStored(r.reference));
	for (const r of engine.db.prepare("SELECT repository, digest, image_id FROM repo_digests ORDER BY repository").all()) {
		const slash = r.repository.indexOf("/");
		add(r.image_id, {
			domain: r.repository.slice(0, slash),
			path: r.repository.slice(slash + 1),
			digest: r.digest
		});
	}
	return m;
}
/** Stored references are already normalised (`docker.io/library/a:latest`): split without re-validating. */
function parseStored(reference) {
	const slash = reference.indexOf("/");
	const colon = reference.lastIndexOf(":");
	if (slash === -1 || colon < slash) return parseReference(reference);
	return {
		domain: reference.slice(0, slash),
		path: reference.slice(slash + 1, colon),
		tag: reference.slice(colon + 1)
	};
}
/**
* Bytes of each image's layers that at least one other image also uses, in one query. Layers are
* shared by diff ID: Strata stores a diff once whatever lies beneath it, so that is what is on disk.
*/
function sharedSizes(engine) {
	const rows = engine.db.prepare(`WITH per_image AS (SELECT DISTINCT image_id, diff_id FROM image_layers),
            refs AS (SELECT diff_id, count(*) AS n FROM per_image GROUP BY diff_id HAVING n > 1)
       SELECT p.image_id AS id, sum(l.diff_size) AS shared
       FROM per_image p JOIN refs r ON r.diff_id = p.diff_id JOIN layers l ON l.diff_id = p.diff_id
       GROUP BY p.image_id`).all();
	return new Map(rows.map((r) => [r.id, r.shared]));
}
var InvalidFilterError, ACCEPTED_FILTERS$1;
var init_list = __esmMin((() => {
	init_reference();
	init_errors$2();
	InvalidFilterError = class extends StrataError {
		constructor(name, value) {
			super("invalid", value === void 0 ? `invalid filter '${name}'` : `invalid filter '${name}=${value}'`);
		}
	};
	ACCEPTED_FILTERS$1 = /* @__PURE__ */ new Set([
		"dangling",
		"label",
		"before",
		"since",
		"reference",
		"until"
	]);
}));
// src/main/engine/usage/disk-usage.ts
/** Registers a provider for this engine; returns its unregistration. */
function registerUsageProvider(engine, provider) {
	const list = providers.get(engine) ?? [];
	list.push(provider);
	providers.set(engine, list);
	return () => {
		const i = list.indexOf(provider);
		if (i >= 0) list.splice(i, 1);
	};
}
/**
* `system df` data, after moby's disk usage: every image with its size, the bytes it shares with
* other images and its unique bytes, and the layers' total counted once. Aggregate SQL only.
*/
function diskUsage(engine) {
	const registered = providers.get(engine) ?? [];
	const containers = registered.flatMap((p) => p.containers?.() ?? []);
	const buildCache = registered.flatMap((p) => p.buildCache?.() ?? []);
	const counts = containerCounts(engine, registered);
	const report = {
		layersSize: engine.db.prepare("SELECT coalesce(sum(diff_size), 0) AS s FROM layers WHERE diff_id IN (SELECT diff_id FROM image_layers)").get().s,
		images: listImages$1(engine, { sharedSize: true }).map((img) => ({
			id: img.id,
			repoTags: img.repoTags,
			created: img.created,
			size: img.size,
			sharedSize: img.sharedSize,
			uniqueSize: img.size - img.sharedSize,
			containers: counts(img.id)
		})),
		containers,
		buildCache
	};
	return {
		...report,
		summary: summarize(report)
	};
}
function containerCounts(engine, registered) {
	const maps = registered.flatMap((p) => p.imageContainers ? [p.imageContainers()] : []);
	if (maps.length > 0) return (id) => maps.reduce((n, m) => n + (m.get(id) ?? 0), 0);
	return (id) => engine.images.usersOf(id).length;
}
/** docker's TYPE rows: totals, active counts and reclaimable bytes as docker/cli computes them. */
function summarize(du) {
	const activeImages = du.images.filter((i) => i.containers > 0);
	const usedByActive = activeImages.reduce((n, i) => n + (i.size - i.sharedSize), 0);
	const activeContainers = du.containers.filter((c) => ACTIVE_STATES.has(c.state));
	const containerSize = du.containers.reduce((n, c) => n + c.sizeRw, 0);
	const unshared = du.buildCache.filter((b) => !b.shared);
	const cacheSize = unshared.reduce((n, b) => n + b.size, 0);
	return [
		{
			type: "Images",
			total: du.images.length,
			active: activeImages.length,
			size: du.layersSize,
			reclaimable: du.layersSize - usedByActive
		},
		{
			type: "Containers",
			total: du.containers.length,
			active: activeContainers.length,
			size: containerSize,
			reclaimable: containerSize - activeContainers.reduce((n, c) => n + c.sizeRw, 0)
		},
		{
			type: "Local Volumes",
			total: 0,
			active: 0,
			size: 0,
			reclaimable: 0
		},
		{
			type: "Build Cache",
			total: du.buildCache.length,
			active: du.buildCache.filter((b) => b.inUse).length,
			size: cacheSize,
			reclaimable: cacheSize - unshared.filter((b) => b.inUse).reduce((n, b) => n + b.size, 0)
		}
	];
}
var providers, ACTIVE_STATES;
var init_disk_usage = __esmMin((() => {
	init_list();
	providers = /* @__PURE__ */ new WeakMap();
	ACTIVE_STATES = /* @__PURE__ */ new Set([
		"running",
		"paused",
		"restarting"
	]);
}));
// src/main/engine/build/cache.ts
/**
* The build cache: one row per executed Dockerfile step, keyed by the chain of keys above it, the
* normalised instruction, the build args it sees and the checksum of what it copies. Rows record
* the step's inputs so a miss can be explained, and their layers are gc roots until pruned.
*/
/** The persistent DigestCache of context files (see context.ts). */
function fileDigestCache(db) {
	const get = db.prepare("SELECT digest FROM build_file_digests WHERE path = ? AND stamp = ?");
	const put = db.prepare("INSERT INTO build_file_digests(path, stamp, digest, used_at) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET stamp = excluded.stamp, digest = excluded.digest, used_at = excluded.used_at");
	return {
		get: (path, stamp) => get.get(path, stamp)?.digest,
		set: (path, stamp, digest) => void put.run(path, stamp, digest, Date.now())
	};
}
/**
* Applies the build schema, makes cached layers gc roots and reports the cache to `system df`.
* Called from the Engine constructor.
*/
function registerBuildService(engine) {
	migrate(engine.db, "build", BUILD_MIGRATIONS);
	engine.gc.addRoots({ layers: "SELECT diff_id FROM build_cache WHERE diff_id IS NOT NULL" });
	registerUsageProvider(engine, { buildCache: () => buildCacheUsage(engine) });
}
function toRecord(r) {
	return {
		key: r.key,
		parentKey: r.parent_key,
		kind: r.kind,
		description: r.description,
		diffId: r.diff_id,
		historyCreated: r.history_created,
		inputs: JSON.parse(r.inputs),
		size: r.size,
		durationMs: r.duration_ms,
		createdAt: r.created_at,
		lastUsedAt: r.last_used_at,
		usageCount: r.usage_count
	};
}
/** The key of a step's own inputs, whatever its parent: tells a changed step from one only invalidated. */
function inputsKey(inputs) {
	return stepKey("", inputs);
}
/** The cache key of a step: parent key, normalised instruction, args, content checksum. */
function stepKey(parentKey, inputs) {
	const h = createHash("sha256");
	h.update(JSON.stringify([
		parentKey,
		inputs.instruction,
		sortedArgs(inputs.args),
		inputs.checksum ?? "",
		inputs.from ?? ""
	]));
	return `sha256:${h.digest("hex")}`;
}
function sortedArgs(args) {
	return Object.entries(args).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
}
/**
* Records a layer the build wrote (blob, layer, file index) so it can be read back, served from
* the cache and protected as a gc root before any image uses it — the same rows
* ImageService.commit writes, with the same conflict rules.
*/
function recordLayer(db, layer) {
	const now = Date.now();
	db.transaction(() => {
		db.prepare("INSERT INTO blobs(digest, size, media_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING").run(layer.blobDigest, layer.blobSize, layer.mediaType ?? "", now);
		if (db.prepare("INSERT INTO layers(diff_id, size, diff_size, file_count, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING").run(layer.diffId, layer.size, layer.diffSize, layer.files?.length ?? 0, now).changes > 0 && layer.files) {
			const putFile = db.prepare("INSERT OR REPLACE INTO layer_files(diff_id, path, type, mode, uid, gid, size, link_target, mtime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
			for (const f of layer.files) putFile.run(layer.diffId, f.path, f.type, f.mode, f.uid, f.gid, f.size, f.linkTarget, f.mtime);
		}
		db.prepare("INSERT INTO layer_blobs(blob_digest, diff_id, compression) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").run(layer.blobDigest, layer.diffId, layer.compression);
	}).immediate();
}
/** Rows `builder prune` removes: every row with `all`, else dangling ones (no image uses the layer). */
function pruneWhere(all) {
	return all ? "1" : "diff_id IS NULL OR diff_id NOT IN (SELECT diff_id FROM image_layers)";
}
function changedArgs(before, after) {
	return [.../* @__PURE__ */ new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
}
function abbrev(d) {
	return d.startsWith("sha256:") ? `sha256 ${d.slice(7, 9)}…` : d;
}
/** What changed between two file → digest maps: changed and added files in order, then removed ones. */
function fileChangeList(before, after) {
	const out = [];
	for (const [path, digest] of Object.entries(after)) {
		const prev = before[path];
		if (prev === void 0) out.push({
			path,
			change: "added"
		});
		else if (prev !== digest) out.push({
			path,
			change: "changed",
			from: prev,
			to: digest
		});
	}
	for (const path of Object.keys(before)) if (!(path in after)) out.push({
		path,
		change: "removed"
	});
	return out;
}
/** `app.js changed (sha256 3f…→9a…)`, `new.txt added`, `old.txt removed`. */
function fileChangeText(c) {
	if (c.change !== "changed") return `${c.path} ${c.change}`;
	return c.from.startsWith("sha256:") && c.to.startsWith("sha256:") ? `${c.path} changed (sha256 ${c.from.slice(7, 9)}…→${c.to.slice(7, 9)}…)` : `${c.path} changed (${abbrev(c.from)}→${abbrev(c.to)})`;
}
/** A miss cause in the CLI's English (`instruction text changed`, `parent changed because step 3 missed`). */
function missCauseText(c) {
	switch (c.code) {
		case "first-build": return "not in cache (first build of this step on this parent)";
		case "not-in-cache": return "not in cache";
		case "no-cache": return "cache disabled (--no-cache)";
		case "parent-missed": return `parent changed because step ${c.step} missed`;
		case "base-image-changed": return "base image changed since the last build";
		case "instruction-changed": return "instruction text changed";
		case "build-arg-changed": return c.names.map((a) => `--build-arg ${a} changed`).join(", ");
		case "files-changed": return [...c.files.map(fileChangeText), ...c.more > 0 ? [`and ${c.more} more`] : []].join(", ");
		case "source-changed": return "source stage changed";
		case "content-changed": return "copied content changed";
	}
}
/** The progress line's reason: `COPY app.js .: app.js changed (sha256 3f…→9a…)`. */
function missReasonText(r) {
	return `${r.instruction}: ${missCauseText(r)}`;
}
/** The build cache of an engine as `system df` rows (for the usage service). */
function buildCacheUsage(engine) {
	return new BuildCache(engine.db, engine.events).diskUsage();
}
var BUILD_MIGRATIONS, BuildCache, MAX_FILES_SHOWN;
var init_cache = __esmMin((() => {
	init_format();
	init_disk_usage();
	init_errors$2();
	BUILD_MIGRATIONS = [
		`
  CREATE TABLE build_cache (
    key             TEXT PRIMARY KEY,
    parent_key      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    diff_id         TEXT,
    history_created TEXT NOT NULL,
    inputs          TEXT NOT NULL,
    size            INTEGER NOT NULL DEFAULT 0,
    duration_ms     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER NOT NULL,
    usage_count     INTEGER NOT NULL DEFAULT 1
  ) STRICT;
  CREATE INDEX build_cache_parent ON build_cache(parent_key);
  CREATE INDEX build_cache_diff ON build_cache(diff_id);

  CREATE TABLE builds (
    id              TEXT PRIMARY KEY,
    context         TEXT NOT NULL,
    dockerfile      TEXT NOT NULL,
    dockerfile_text TEXT NOT NULL,
    build_args      TEXT NOT NULL DEFAULT '{}',
    target          TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '[]',
    no_cache        INTEGER NOT NULL DEFAULT 0,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    status          TEXT NOT NULL,
    image_id        TEXT,
    error           TEXT
  ) STRICT;
  CREATE INDEX builds_dockerfile ON builds(context, dockerfile, started_at);

  CREATE TABLE build_steps (
    build_id     TEXT NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    n            INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    position     INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    instruction  TEXT NOT NULL,
    line         INTEGER NOT NULL,
    cache_key    TEXT NOT NULL DEFAULT '',
    inputs_key   TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    cached       INTEGER NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    self_changed INTEGER NOT NULL DEFAULT 0,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    size         INTEGER NOT NULL DEFAULT 0,
    diff_id      TEXT,
    PRIMARY KEY (build_id, n)
  ) STRICT;
  `,
		`
  CREATE TABLE build_file_digests (
    path     TEXT PRIMARY KEY,
    stamp    TEXT NOT NULL,
    digest   TEXT NOT NULL,
    used_at  INTEGER NOT NULL
  ) STRICT;
  `,
		`
  ALTER TABLE builds ADD COLUMN owner TEXT NOT NULL DEFAULT '';
  `
	];
	BuildCache = class {
		db;
		events;
		constructor(db, events) {
			this.db = db;
			this.events = events;
		}
		get(key) {
			const r = this.db.prepare("SELECT * FROM build_cache WHERE key = ?").get(key);
			if (!r) return void 0;
			if (r.diff_id && !this.db.prepare("SELECT 1 FROM layer_blobs WHERE diff_id = ?").get(r.diff_id)) return void 0;
			return toRecord(r);
		}
		touch(key) {
			this.db.prepare("UPDATE build_cache SET last_used_at = ?, usage_count = usage_count + 1 WHERE key = ?").run(Date.now(), key);
		}
		/** Records a step's result; announced as Strata's `builder cache` event (docker announces none per step). */
		put(rec) {
			const now = Date.now();
			this.db.transaction(() => {
				this.upsert(rec, now);
				this.events.record({
					type: "builder",
					action: "cache",
					id: rec.key,
					attributes: { description: rec.description }
				});
			}).immediate();
		}
		upsert(rec, now) {
			this.db.prepare(`INSERT INTO build_cache(key, parent_key, kind, description, diff_id, history_created, inputs, size, duration_ms, created_at, last_used_at, usage_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT(key) DO UPDATE SET diff_id = excluded.diff_id, history_created = excluded.history_created, inputs = excluded.inputs,
           size = excluded.size, duration_ms = excluded.duration_ms, last_used_at = excluded.last_used_at, usage_count = usage_count + 1`).run(rec.key, rec.parentKey, rec.kind, rec.description, rec.diffId, rec.historyCreated, JSON.stringify(rec.inputs), rec.size, rec.durationMs, now, now);
		}
		/** Rows that were built on the same parent state, most recently used first. */
		siblings(parentKey) {
			return this.db.prepare("SELECT * FROM build_cache WHERE parent_key = ? ORDER BY last_used_at DESC").all(parentKey).map(toRecord);
		}
		/** The stored form of a cached layer, as an image input. */
		layerInput(diffId) {
			const r = this.db.prepare(`SELECT lb.blob_digest, lb.compression, b.size AS blob_size, b.media_type, l.size, l.diff_size
         FROM layer_blobs lb JOIN blobs b ON b.digest = lb.blob_digest JOIN layers l ON l.diff_id = lb.diff_id
         WHERE lb.diff_id = ? ORDER BY lb.compression = 'none' DESC LIMIT 1`).get(diffId);
			if (!r) throw new StrataError("data-loss", `cached layer ${shortId(diffId)} is missing from the store`);
			return {
				blobDigest: r.blob_digest,
				blobSize: r.blob_size,
				compression: r.compression,
				diffId,
				size: r.size,
				diffSize: r.diff_size
			};
		}
		/**
		* Explains why `inputs` on `parentKey` missed, comparing with what was built on the same parent
		* before: changed files, changed build args, or changed instruction text.
		*/
		explainMiss(parentKey, kind, inputs) {
			return missCauseText(this.explainMissCause(parentKey, kind, inputs));
		}
		/** The same explanation as data (the UI renders it in the user's language). */
		explainMissCause(parentKey, kind, inputs) {
			const siblings = this.siblings(parentKey).filter((s) => s.kind === kind);
			if (siblings.length === 0) return { code: "first-build" };
			const sameText = siblings.find((s) => s.inputs.source === inputs.source);
			const prev = sameText ?? siblings[0];
			const argChanges = changedArgs(prev.inputs.scope ?? prev.inputs.args, inputs.scope ?? inputs.args);
			if (prev.inputs.instruction !== inputs.instruction) {
				if (sameText && argChanges.length > 0) return {
					code: "build-arg-changed",
					names: argChanges
				};
				return { code: "instruction-changed" };
			}
			if (argChanges.length > 0) return {
				code: "build-arg-changed",
				names: argChanges
			};
			if (inputs.files && prev.inputs.files) {
				const changes = fileChangeList(prev.inputs.files, inputs.files);
				if (changes.length > 0) return {
					code: "files-changed",
					files: changes.slice(0, MAX_FILES_SHOWN),
					more: Math.max(0, changes.length - MAX_FILES_SHOWN)
				};
			}
			if (inputs.from !== prev.inputs.from) return { code: "source-changed" };
			if (inputs.checksum !== prev.inputs.checksum) return { code: "content-changed" };
			return { code: "not-in-cache" };
		}
		/** Every cache row for `system df` (docker's BuildCache records). */
		diskUsage() {
			return this.db.prepare(`SELECT c.*, (SELECT COUNT(*) FROM image_layers il WHERE il.diff_id = c.diff_id) AS image_refs,
                (SELECT COUNT(*) FROM build_cache c2 WHERE c2.diff_id = c.diff_id) AS cache_refs
         FROM build_cache c ORDER BY c.last_used_at DESC`).all().map((r) => ({
				id: r.key.replace(/^sha256:/, "").slice(0, 25),
				type: r.diff_id ? "regular" : "frontend",
				description: r.description,
				size: r.diff_id && r.image_refs === 0 ? r.size : 0,
				createdAt: Math.floor(r.created_at / 1e3),
				lastUsedAt: Math.floor(r.last_used_at / 1e3),
				usageCount: r.usage_count,
				inUse: false,
				shared: r.image_refs > 0 || r.cache_refs > 1
			}));
		}
		/**
		* Removes cache rows: with `all`, every row; otherwise only rows whose layer no image uses
		* (docker's dangling cache) and config-only rows. Returns the removed keys; the caller runs gc.
		*/
		prune(all) {
			return this.db.transaction(() => {
				const removed = this.prunable(all);
				this.db.prepare(`DELETE FROM build_cache WHERE ${pruneWhere(all)}`).run();
				if (all) this.db.prepare("DELETE FROM build_file_digests").run();
				this.events.record({
					type: "builder",
					action: "prune",
					id: "",
					attributes: { reclaimed: String(removed.size) }
				});
				return removed;
			}).immediate();
		}
		/**
		* What `prune(all)` would remove, without removing it: the keys and the bytes (the records'
		* layer sizes, by docker's rule), the figure the prune then reports as freed.
		*/
		prunable(all) {
			const rows = this.db.prepare(`SELECT key, size, diff_id FROM build_cache WHERE ${pruneWhere(all)}`).all();
			return {
				keys: rows.map((r) => r.key),
				size: rows.reduce((s, r) => s + (r.diff_id ? r.size : 0), 0)
			};
		}
	};
	MAX_FILES_SHOWN = 5;
}));
// src/main/engine/layer/tar-safety.ts
/**
* Cleans a tar entry name to a relative path without `./` prefixes or trailing slashes, refusing
* what could land outside the root: absolute paths, `..` components, NUL bytes.
*/
function cleanEntryPath(name) {
	if (name.includes("\0")) throw new HostileArchiveError(`refusing tar entry with a NUL byte in its name: ${JSON.stringify(name)}`);
	if (name.startsWith("/")) throw new HostileArchiveError(`refusing absolute path in archive: ${name}`);
	const parts = [];
	for (const part of name.split("/")) {
		if (part === "" || part === ".") continue;
		if (part === "..") throw new HostileArchiveError(`refusing path that escapes the root: ${name}`);
		parts.push(part);
	}
	return parts.join("/");
}
/**
* Checks one entry of a layer tar (and of a tar ADD unpacks). Symlink targets may be absolute
* (they resolve inside the rootfs when extracted), but hardlinks must name a path inside the
* layer's root, and nothing may be written through a symlink of the same archive — including a
* hardlink to such a symlink, which is a symlink too once linked. Device nodes are accepted
* anywhere, as docker does; only those under /dev are ever created on disk (`isUnderDev`).
*/
function checkLayerEntry(header, tracker) {
	const path = cleanEntryPath(header.name);
	tracker.checkParents(path, header.name);
	let linksToSymlink = false;
	switch (header.type) {
		case "link": {
			const target = header.linkname ?? "";
			if (target === "") throw new HostileArchiveError(`refusing hardlink with an empty target: ${header.name}`);
			try {
				cleanEntryPath(target);
			} catch {
				throw new HostileArchiveError(`refusing hardlink that escapes the root: ${header.name} -> ${target}`);
			}
			const cleaned = cleanEntryPath(target);
			tracker.checkParents(cleaned, target);
			linksToSymlink = tracker.isSymlink(cleaned);
			break;
		}
		case "character-device":
		case "block-device":
		case "file":
		case "contiguous-file":
		case "directory":
		case "symlink":
		case "fifo": break;
		default: throw new HostileArchiveError(`refusing unsupported tar entry type ${String(header.type)}: ${header.name}`);
	}
	tracker.record(path, header.type === "symlink" || linksToSymlink);
	return path;
}
/**
* Whether a device node at `path` may be created on disk: under /dev the sandbox mounts its own
* /dev over it, so the node is never reachable from a container; elsewhere it would be.
*/
function isUnderDev(path) {
	return path === "dev" || path.startsWith("dev/");
}
var HostileArchiveError, LayerPathTracker;
var init_tar_safety = __esmMin((() => {
	init_errors$2();
	HostileArchiveError = class extends StrataError {
		constructor(message) {
			super("data-loss", message);
		}
	};
	LayerPathTracker = class {
		symlinks = /* @__PURE__ */ new Set();
		/** Throws when any parent of `path` was a symlink earlier in the same archive. */
		checkParents(path, original) {
			let i = path.indexOf("/");
			while (i !== -1) {
				if (this.symlinks.has(path.slice(0, i))) throw new HostileArchiveError(`refusing entry that traverses a symlink: ${original} (${path.slice(0, i)} is a symlink)`);
				i = path.indexOf("/", i + 1);
			}
		}
		isSymlink(path) {
			return this.symlinks.has(path);
		}
		record(path, isSymlink) {
			if (isSymlink) this.symlinks.add(path);
			else this.symlinks.delete(path);
		}
	};
}));
// src/main/engine/layer/file-index.ts
/**
* A file-index entry from a tar header. OCI whiteouts become entries of their own type at the
* path they hide (`a/.wh.b` → whiteout `a/b`; `a/.wh..wh..opq` → opaque `a`).
*/
function fileFromHeader(header) {
	let path = cleanEntryPath(header.name);
	let type = typeOf(header.type);
	const slash = path.lastIndexOf("/");
	const base = path.slice(slash + 1);
	if (base === ".wh..wh..opq") {
		type = "opaque";
		path = slash === -1 ? "" : path.slice(0, slash);
	} else if (base.startsWith(".wh.")) {
		type = "whiteout";
		path = (slash === -1 ? "" : path.slice(0, slash + 1)) + base.slice(4);
	}
	return {
		path,
		type,
		mode: header.mode ?? 0,
		uid: header.uid ?? 0,
		gid: header.gid ?? 0,
		size: type === "file" ? header.size ?? 0 : 0,
		linkTarget: header.linkname ?? "",
		mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1e3) : 0
	};
}
function typeOf(t) {
	switch (t) {
		case "directory": return "dir";
		case "symlink": return "symlink";
		case "link": return "hardlink";
		case "character-device": return "char";
		case "block-device": return "block";
		case "fifo": return "fifo";
		default: return "file";
	}
}
/**
* What a layer holds on disk as docker counts it (moby's graphdriver `DiffSize`: overlay2 walks
* the layer's diff directory with pkg/directory `Size`): the sizes of regular files and symlinks
* (a symlink's size is its target's length), each inode once (a hard link adds nothing), and 0
* for directories, devices, whiteouts and opaque markers. A path the tar names twice counts once,
* as the later entry replaced the earlier one on disk.
*/
function diffSize(files) {
	const byPath = /* @__PURE__ */ new Map();
	for (const f of files) byPath.set(f.path, entryDiskSize(f));
	let total = 0;
	for (const n of byPath.values()) total += n;
	return total;
}
function entryDiskSize(f) {
	if (f.type === "file") return f.size;
	if (f.type === "symlink") return Buffer.byteLength(f.linkTarget);
	return 0;
}
var WHITEOUT_PREFIX, OPAQUE_WHITEOUT;
var init_file_index = __esmMin((() => {
	init_tar_safety();
	WHITEOUT_PREFIX = ".wh.";
	OPAQUE_WHITEOUT = ".wh..wh..opq";
}));
// src/main/engine/layer/layer-ingest.ts
/** Sniffs the compression from the first bytes of a blob. */
function detectCompression(head) {
	if (head.length >= 2 && head[0] === 31 && head[1] === 139) return "gzip";
	if (head.length >= 4 && head[0] === 40 && head[1] === 181 && head[2] === 47 && head[3] === 253) return "zstd";
	return "none";
}
function decompressor(compression) {
	if (compression === "gzip") return zlib.createGunzip({ chunkSize: DECOMPRESS_CHUNK });
	if (compression === "zstd") return zlib.createZstdDecompress({ chunkSize: DECOMPRESS_CHUNK });
	return new PassThrough();
}
function isTarHeader(head) {
	return head.length >= 263 && Buffer.from(head.subarray(257, 262)).toString("latin1") === "ustar";
}
/**
* Streams one layer into the content store in a single pass: the bytes are written and hashed as
* they arrive (blob digest) while a second branch decompresses, hashes the tar (diff ID) and
* parses it into the file index, refusing hostile entries. Nothing is held in memory beyond a
* tar header, and nothing becomes visible unless every check passed.
*/
async function ingestLayer(store, source, expected) {
	const writer = await store.writer();
	const tarHash = sha256Hasher();
	let tarSize = 0;
	let compression;
	const files = [];
	const tracker = new LayerPathTracker();
	const extract = tar.extract();
	extract.on("entry", (header, stream, next) => {
		stream.on("error", () => {});
		try {
			checkLayerEntry(header, tracker);
			files.push(fileFromHeader(header));
		} catch (err) {
			stream.resume();
			next(err);
			return;
		}
		stream.on("end", () => next());
		stream.resume();
	});
	let failure;
	const extractDone = new Promise((resolve, reject) => {
		extract.on("finish", resolve);
		extract.on("error", (err) => {
			failure ??= err;
			unpack?.destroy(err);
			reject(err);
		});
	});
	extractDone.catch(() => {});
	let unpack;
	let unpackDone;
	const counter = new Writable({
		write(chunk, _enc, cb) {
			if (compression !== "none") tarHash.update(chunk);
			tarSize += chunk.length;
			if (extract.write(chunk)) cb();
			else extract.once("drain", () => cb());
		},
		final(cb) {
			extract.end();
			cb();
		}
	});
	try {
		for await (const raw of source) {
			const chunk = raw;
			if (failure) throw failure;
			if (compression === void 0) {
				compression = detectCompression(chunk);
				unpack = decompressor(compression);
				unpackDone = pipeline(unpack, counter);
				unpackDone.catch(() => {});
			}
			const written = writer.write(chunk);
			const drained = unpack.write(chunk) ? void 0 : drainOf(unpack);
			drained?.catch(() => {});
			await written;
			if (drained) await drained;
		}
		if (compression === void 0) throw new StrataError("invalid", "layer is empty (0 bytes): not a tar archive");
		if (failure) throw failure;
		unpack.end();
		await unpackDone;
		await extractDone;
		const blob = await writer.commit(expected);
		const diffId = compression === "none" ? blob.digest : `sha256:${tarHash.digest("hex")}`;
		return {
			blob,
			compression,
			diffId,
			size: compression === "none" ? blob.size : tarSize,
			diffSize: diffSize(files),
			files
		};
	} catch (err) {
		await writer.abort();
		unpack?.destroy();
		extract.destroy();
		throw layerError(failure ?? err);
	}
}
/** Resolves on the stream's next 'drain', rejects on its 'error'. */
function drainOf(stream) {
	return new Promise((resolve, reject) => {
		const onDrain = () => {
			cleanup();
			resolve();
		};
		const onError = (e) => {
			cleanup();
			reject(e);
		};
		const cleanup = () => {
			stream.off("drain", onDrain);
			stream.off("error", onError);
		};
		stream.once("drain", onDrain);
		stream.once("error", onError);
	});
}
function layerError(err) {
	const e = err instanceof Error ? err : new Error(String(err));
	if (/Unexpected end of data|unexpected end of file|Z_BUF_ERROR/i.test(e.message)) return new StrataError("data-loss", `truncated layer: ${e.message}`);
	if (/Invalid tar header/i.test(e.message)) return new StrataError("invalid", `layer is not a valid tar archive: ${e.message}`);
	return e;
}
var DECOMPRESS_CHUNK;
var init_layer_ingest = __esmMin((() => {
	init_digest();
	init_tar_safety();
	init_file_index();
	init_errors$2();
	DECOMPRESS_CHUNK = 262144;
}));
// src/main/engine/snapshot/whiteout.ts
/** Running as the host's root: ownership is kept as the layers say, device nodes can be made. */
function isRoot() {
	return process.getuid?.() === 0;
}
/** An overlayfs whiteout: a character device with device number 0:0. */
function isWhiteout(st) {
	return st.isCharacterDevice() && Number(st.rdev) === 0;
}
/**
* Creates overlayfs whiteouts (0:0 character devices). Node has no mknod, so one `mknod` process
* makes them all; since Linux 5.8 an unprivileged user may create whiteouts too.
*/
function makeWhiteouts(paths) {
	if (paths.length === 0) return;
	const res = spawnSync("/bin/sh", [
		"-c",
		"for p; do mknod \"$p\" c 0 0 || exit 1; done",
		"sh",
		...paths
	], { encoding: "utf8" });
	if (res.status !== 0) throw new Error(`cannot create whiteout: ${(res.stderr || res.error?.message || "").trim()}`);
}
function makeDevice(path, type, major, minor) {
	const res = spawnSync("mknod", type === "fifo" ? [path, "p"] : [
		path,
		type === "character-device" ? "c" : "b",
		String(major),
		String(minor)
	], { encoding: "utf8" });
	if (res.status !== 0) throw new Error(`cannot create device node ${path}: ${(res.stderr || res.error?.message || "").trim()}`);
}
var init_whiteout = __esmMin((() => {}));
// src/main/engine/snapshot/safe-path.ts
/**
* File access under a directory whose contents someone else controls: a container's upper dir
* (written by a running process) and the snapshots of image layers. Nothing here ever follows a
* symlink on the host: every directory is opened with O_NOFOLLOW and pinned by its descriptor,
* and the next name is looked up through `/proc/self/fd/<fd>/<name>`, which is how openat()
* looks in Node (the directory stays the one opened even if the container renames or swaps it).
* Calls on that last name are the ones that never follow it (lstat, readlink, mkdir, unlink,
* rename, symlink, open with O_NOFOLLOW); anything done to an opened file goes through its
* descriptor, and its type and size come from fstat of that descriptor, never from an earlier
* lstat.
*/
/** Path of an open descriptor: opening or walking it reaches exactly that inode. */
function fdPath(fd) {
	return `/proc/self/fd/${fd}`;
}
function errno(err) {
	return err.code;
}
/** A name that is one component: never '', '.', '..' or something with a slash. */
function checkName(name) {
	if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0")) throw new StrataError("invalid", `invalid file name ${JSON.stringify(name)}`);
	return name;
}
/** Clean components of a relative path inside a layer (`a//b/` → ['a', 'b']). */
function parts(rel) {
	return rel.split("/").filter((p) => p !== "" && p !== ".").map(checkName);
}
/** Runs `fn` on the pinned directory `rel` of `root` and closes it. */
function inDir(root, rel, fn) {
	const dir = PinnedDir.open(root, rel);
	try {
		return fn(dir);
	} finally {
		dir.close();
	}
}
/**
* The subdirectory `name` of `dir`, pinned, or undefined when a running container removed it or
* swapped it for something else since it was listed (skipped, like a file that vanished).
*/
function subdirOrUndefined(dir, name) {
	try {
		return dir.dir(name);
	} catch (err) {
		const code = errno(err);
		if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return void 0;
		throw err;
	}
}
/**
* Visits every entry under `root` depth first, each lstat'ed in its pinned directory; descends
* into a directory when `visit` returns true. Entries that vanish meanwhile are skipped.
*/
function walkTree(root, visit) {
	const walk = (dir, rel) => {
		for (const name of dir.names()) {
			const st = dir.lstat(name);
			const childRel = rel ? `${rel}/${name}` : name;
			if (!st || !visit(childRel, st) || !st.isDirectory()) continue;
			const sub = subdirOrUndefined(dir, name);
			if (!sub) continue;
			try {
				walk(sub, childRel);
			} finally {
				sub.close();
			}
		}
	};
	const top = PinnedDir.open(root);
	try {
		walk(top, "");
	} finally {
		top.close();
	}
}
/** Splits a clean relative path into its parent and last name ('a/b/c' → ['a/b', 'c']). */
function splitRel(rel) {
	const i = rel.lastIndexOf("/");
	return i === -1 ? ["", rel] : [rel.slice(0, i), rel.slice(i + 1)];
}
/**
* lstat of `rel` inside `root` without following any link: undefined when absent, 'hidden' when
* a parent is not a real directory.
*/
function lstatIn(root, rel) {
	const [parent, name] = splitRel(rel);
	if (name === "") return lstatSync(root);
	const dir = PinnedDir.tryOpen(root, parent);
	if (dir === void 0 || dir === "hidden") return dir;
	try {
		return dir.lstat(name);
	} catch (err) {
		if (errno(err) === "ENOTDIR") return "hidden";
		throw err;
	} finally {
		dir.close();
	}
}
/** Reads at most `max` bytes of an open file from its start. */
function readUpTo(fd, max) {
	const buf = Buffer.alloc(max);
	let n = 0;
	while (n < max) {
		const got = readSync(fd, buf, n, max - n, n);
		if (got === 0) break;
		n += got;
	}
	return buf.subarray(0, n);
}
/**
* Exactly `size` bytes of an open file, for a tar entry whose header already says `size`: a file
* a running container grows meanwhile is cut at that size, one it shrinks is padded with zeros,
* so the archive stays valid. Closes the descriptor when done or destroyed.
*/
function fixedSizeStream(fd, size) {
	let pos = 0;
	let closed = false;
	const close = () => {
		if (!closed) {
			closed = true;
			closeSync(fd);
		}
	};
	return new Readable({
		highWaterMark: 65536,
		read(want) {
			if (pos >= size) {
				close();
				this.push(null);
				return;
			}
			const buf = Buffer.alloc(Math.min(want, size - pos));
			let got;
			try {
				got = readSync(fd, buf, 0, buf.length, pos);
			} catch (err) {
				this.destroy(err);
				return;
			}
			const chunk = got === 0 ? buf : buf.subarray(0, got);
			pos += chunk.length;
			this.push(chunk);
		},
		destroy(err, cb) {
			close();
			cb(err);
		}
	});
}
var O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY, O_PATH, PinnedDir;
var init_safe_path = __esmMin((() => {
	init_errors$2();
	({O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY} = constants);
	O_PATH = 2097152;
	PinnedDir = class PinnedDir {
		fd;
		constructor(fd) {
			this.fd = fd;
		}
		/**
		* `root` is a directory of ours (trusted, may be reached through a host symlink); `rel` under
		* it is walked one component at a time, each opened without following a symlink. Throws
		* ENOENT when a component is missing, ENOTDIR/ELOOP when one is not a real directory.
		*/
		static open(root, rel = "") {
			let dir = new PinnedDir(openSync(root, O_PATH | O_DIRECTORY));
			for (const name of parts(rel)) try {
				const next = dir.dir(name);
				dir.close();
				dir = next;
			} catch (err) {
				dir.close();
				throw err;
			}
			return dir;
		}
		/** Like open, but undefined when `rel` is absent and 'hidden' when a component is not a directory. */
		static tryOpen(root, rel = "") {
			try {
				return PinnedDir.open(root, rel);
			} catch (err) {
				const code = errno(err);
				if (code === "ENOENT") return void 0;
				if (code === "ENOTDIR" || code === "ELOOP") return "hidden";
				throw err;
			}
		}
		/** The directory itself, for calls that may follow (chmod, chown, utimes, readdir). */
		get path() {
			return fdPath(this.fd);
		}
		/** `name` inside this directory, for calls that never follow their last component. */
		child(name) {
			return `${fdPath(this.fd)}/${checkName(name)}`;
		}
		close() {
			closeSync(this.fd);
		}
		names() {
			return readdirSync(this.path);
		}
		lstat(name) {
			try {
				return lstatSync(this.child(name));
			} catch (err) {
				if (errno(err) === "ENOENT") return void 0;
				throw err;
			}
		}
		lstatBig(name) {
			try {
				return lstatSync(this.child(name), { bigint: true });
			} catch (err) {
				if (errno(err) === "ENOENT") return void 0;
				throw err;
			}
		}
		readlink(name) {
			return readlinkSync(this.child(name));
		}
		/** The subdirectory `name`, pinned; ENOTDIR or ELOOP when it is not a real directory (a symlink). */
		dir(name) {
			return new PinnedDir(openSync(this.child(name), O_PATH | O_DIRECTORY | O_NOFOLLOW));
		}
		/**
		* Opens `name` for reading when it is a regular file at the moment of opening: undefined when
		* it is absent or anything else (a symlink, a FIFO, a device are never opened for reading).
		*/
		openFile(name) {
			let handle;
			try {
				handle = openSync(this.child(name), O_PATH | O_NOFOLLOW);
			} catch (err) {
				if (errno(err) === "ENOENT") return void 0;
				throw err;
			}
			try {
				if (!fstatSync(handle).isFile()) return void 0;
				const fd = openSync(fdPath(handle), O_RDONLY);
				return {
					fd,
					stat: fstatSync(fd)
				};
			} finally {
				closeSync(handle);
			}
		}
		/** Creates `name` as a new file (never an existing one, never through a link) open for writing. */
		createFile(name, mode) {
			return openSync(this.child(name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
		}
		mkdir(name, mode = 493) {
			mkdirSync(this.child(name), { mode });
		}
		symlink(name, target) {
			symlinkSync(target, this.child(name));
		}
		/** Renames within this directory (rename never follows either name). */
		rename(from, to) {
			renameSync(this.child(from), this.child(to));
		}
		/** Removes `name` and, for a directory, everything below it, without following any link. */
		remove(name) {
			const st = this.lstat(name);
			if (!st) return;
			if (!st.isDirectory()) {
				unlinkSync(this.child(name));
				return;
			}
			const sub = this.dir(name);
			try {
				for (const n of sub.names()) sub.remove(n);
			} finally {
				sub.close();
			}
			rmdirSync(this.child(name));
		}
		/**
		* Creates overlayfs whiteouts (0:0 character devices) for `names` in this directory. Node has
		* no mknod: one `mknod` process does them, working in this very directory (passed as fd 3).
		*/
		whiteouts(names) {
			if (names.length === 0) return;
			names.forEach(checkName);
			const res = spawnSync("/bin/sh", [
				"-c",
				"cd /proc/self/fd/3 && for p; do mknod \"./$p\" c 0 0 || exit 1; done",
				"sh",
				...names
			], {
				encoding: "utf8",
				stdio: [
					"ignore",
					"pipe",
					"pipe",
					this.fd
				]
			});
			if (res.status !== 0) throw new Error(`cannot create whiteout: ${(res.stderr || res.error?.message || "").trim()}`);
		}
	};
}));
// src/main/engine/snapshot/rootfs.ts
/** Where the opaque directories of an upper dir are remembered (overlayfs marks them with an xattr Node cannot read). */
function opaqueFile(upperDir) {
	return `${upperDir.replace(/\/+$/, "")}.opaque`;
}
function readOpaque(upperDir) {
	try {
		return new Set(JSON.parse(readFileSync(opaqueFile(upperDir), "utf8")));
	} catch {
		return /* @__PURE__ */ new Set();
	}
}
function writeOpaque(upperDir, dirs) {
	const list = [...dirs].sort();
	const file = opaqueFile(upperDir);
	if (list.length === 0) rmSync(file, { force: true });
	else writeFileSync(file, JSON.stringify(list));
}
/**
* Removes a directory tree even where modes forbid it (its owner may always chmod): overlayfs leaves `work/work` with mode 000 owned by the
* namespace's root, and a rootless snapshot may hold read-only directories.
*/
function removeTree(path) {
	try {
		rmSync(path, {
			recursive: true,
			force: true
		});
	} catch (err) {
		if (err.code !== "EACCES" && err.code !== "EPERM") throw err;
		const open = (dir) => {
			try {
				chmodSync(dir, 448);
				for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) open(join(dir, e.name));
			} catch {}
		};
		open(path);
		rmSync(path, {
			recursive: true,
			force: true
		});
	}
}
function lstatOrUndefined$1(path) {
	try {
		return lstatSync(path);
	} catch {
		return;
	}
}
/**
* lstat of `rel` inside one layer directory, never through a symlink: a layer's symlink points
* into the container's root, so following it on the host could reach host files. Undefined when
* absent; 'hidden' when an ancestor in this layer is not a directory (a whiteout, a file or a
* symlink there hides everything below it, as in overlayfs).
*/
function layerLstat(layer, rel) {
	return lstatIn(layer, rel);
}
/** The names in directory `rel` of one layer (undefined when it is not a real directory there). */
function layerReaddir(layer, rel) {
	const dir = PinnedDir.tryOpen(layer, rel);
	if (typeof dir !== "object") return void 0;
	try {
		return dir.names();
	} catch {
		return;
	} finally {
		dir.close();
	}
}
/**
* The target of symlink `rel` in one layer, read without following any link on the way;
* undefined when it is no longer a symlink (a running container replaced it since the lstat).
*/
function layerReadlink(layer, rel) {
	const [parent, name] = splitRel(rel);
	try {
		return inDir(layer, parent, (dir) => dir.readlink(name));
	} catch (err) {
		const code = err.code;
		if (code === "EINVAL" || code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return void 0;
		throw err;
	}
}
function changedMeanwhile(path) {
	return new StrataError("conflict", `${path} changed while it was being read; try again`);
}
/** The topmost read-only layer holding `rel` (undefined when absent or whited out), lowest-first input. */
function lowerEntry(lowerDirs, rel) {
	for (let i = lowerDirs.length - 1; i >= 0; i--) {
		const dir = lowerDirs[i];
		const stat = layerLstat(dir, rel);
		if (stat === "hidden") return void 0;
		if (stat) return isWhiteout(stat) ? void 0 : {
			dir,
			stat
		};
	}
}
function entryType(st) {
	if (st.isDirectory()) return "dir";
	if (st.isSymbolicLink()) return "symlink";
	if (st.isCharacterDevice()) return "char";
	if (st.isBlockDevice()) return "block";
	if (st.isFIFO()) return "fifo";
	if (st.isSocket()) return "socket";
	return "file";
}
/** Splits a container path into clean components (`/a/./b/` → ['a', 'b']), keeping `..` for the resolver. */
function components(path) {
	return path.split("/").filter((p) => p !== "" && p !== ".");
}
/** Gives a copied-up directory the owner, mode and times it has below (through its descriptor's path). */
function copyMetadata$1(dir, st) {
	if (isRoot()) chownSync(dir.path, st.uid, st.gid);
	chmodSync(dir.path, st.mode & 4095);
	utimesSync(dir.path, st.atime, st.mtime);
}
var RACE_RETRIES, RootfsView;
var init_rootfs = __esmMin((() => {
	init_errors$2();
	init_whiteout();
	init_safe_path();
	RACE_RETRIES = 5;
	RootfsView = class {
		lowerDirs;
		upperDir;
		opaque;
		constructor(lowerDirs, upperDir) {
			this.lowerDirs = lowerDirs;
			this.upperDir = upperDir;
			this.opaque = readOpaque(upperDir);
		}
		/** Layers top first: upper, then lowers from the top. */
		layers() {
			return [this.upperDir, ...[...this.lowerDirs].reverse()];
		}
		opaqueAncestor(rel) {
			const parts = rel.split("/");
			for (let i = 1; i < parts.length; i++) if (this.opaque.has(parts.slice(0, i).join("/"))) return true;
			return false;
		}
		/** Where `rel` (clean, no symlinks resolved) lives, or undefined when it does not exist. */
		entry(rel) {
			if (rel === "") return {
				layer: this.upperDir,
				stat: lstatSync(this.upperDir)
			};
			for (const layer of this.layers()) {
				const stat = layerLstat(layer, rel);
				if (stat === "hidden") return void 0;
				if (stat) return isWhiteout(stat) ? void 0 : {
					layer,
					stat
				};
				if (layer === this.upperDir && this.opaqueAncestor(rel)) return void 0;
			}
		}
		/** Resolves symlinks inside the rootfs; returns the clean relative path. */
		resolve(path, followLast = true) {
			const todo = components(path);
			const done = [];
			let hops = 0;
			while (todo.length > 0) {
				const part = todo.shift();
				if (part === "..") {
					done.pop();
					continue;
				}
				const rel = [...done, part].join("/");
				const e = this.entry(rel);
				if (e?.stat.isSymbolicLink() && (todo.length > 0 || followLast)) {
					if (++hops > 40) throw new StrataError("invalid", `too many levels of symbolic links: ${path}`);
					const target = layerReadlink(e.layer, rel);
					if (target === void 0) {
						todo.unshift(part);
						continue;
					}
					if (target.startsWith("/")) done.length = 0;
					todo.unshift(...components(target));
					continue;
				}
				done.push(part);
			}
			return done.join("/");
		}
		/**
		* `path` as a clean relative path: symlinks resolved inside the rootfs, or with `literal`, taken
		* as it is (a walk that already knows the real path follows no link at all, so a directory a
		* running container swaps for a link meanwhile ends the walk there instead of leading elsewhere).
		*/
		relOf(path, literal) {
			if (!literal) return this.resolve(path);
			const parts = components(path);
			if (parts.includes("..")) throw new StrataError("invalid", `not a clean path: ${path}`);
			return parts.join("/");
		}
		stat(path) {
			for (let i = 0; i < RACE_RETRIES; i++) {
				const rel = this.resolve(path, false);
				const e = this.entry(rel);
				if (!e) return void 0;
				const target = e.stat.isSymbolicLink() ? layerReadlink(e.layer, rel) : "";
				if (target !== void 0) return this.toEntry(rel, e.stat, target);
			}
			throw changedMeanwhile(path);
		}
		toEntry(rel, st, linkTarget) {
			const type = entryType(st);
			return {
				name: rel.slice(rel.lastIndexOf("/") + 1) || "/",
				path: `/${rel}`,
				type,
				mode: st.mode & 4095,
				uid: st.uid,
				gid: st.gid,
				size: type === "file" ? st.size : 0,
				mtime: Math.floor(st.mtimeMs / 1e3),
				linkTarget
			};
		}
		/** Directory listing merged over the layers, sorted by name. */
		list(path, options = {}) {
			const rel = this.relOf(path, options.literal ?? false);
			const top = this.entry(rel);
			if (!top) throw Object.assign(/* @__PURE__ */ new Error(`no such file or directory: ${path}`), { code: "ENOENT" });
			if (!top.stat.isDirectory()) throw Object.assign(/* @__PURE__ */ new Error(`not a directory: ${path}`), { code: "ENOTDIR" });
			const seen = /* @__PURE__ */ new Map();
			for (const layer of this.layers()) {
				const dir = PinnedDir.tryOpen(layer, rel);
				if (dir === "hidden") break;
				if (!dir) {
					if (layer === this.upperDir && this.opaqueAncestor(rel)) break;
					continue;
				}
				try {
					this.listLayer(dir, rel, seen);
				} finally {
					dir.close();
				}
				if (layer === this.upperDir && this.opaque.has(rel)) break;
			}
			return [...seen.values()].filter((e) => e !== null).sort((a, b) => a.name < b.name ? -1 : 1);
		}
		/** Adds one layer's entries of a directory to a listing (names a higher layer holds stay as they are). */
		listLayer(dir, rel, seen) {
			for (const name of dir.names()) {
				if (seen.has(name)) continue;
				const st = dir.lstat(name);
				if (!st) continue;
				let target = "";
				if (st.isSymbolicLink()) try {
					target = dir.readlink(name);
				} catch {
					continue;
				}
				seen.set(name, isWhiteout(st) ? null : this.toEntry(rel ? `${rel}/${name}` : name, st, target));
			}
		}
		/**
		* Opens the regular file at `path` for reading: the descriptor and its own stat (never an
		* earlier lstat). Errors when it is absent, a directory, or anything but a regular file.
		*/
		openFile(path, options = {}) {
			const rel = this.relOf(path, options.literal ?? false);
			const e = this.entry(rel);
			if (!e) throw Object.assign(/* @__PURE__ */ new Error(`no such file or directory: ${path}`), { code: "ENOENT" });
			if (e.stat.isDirectory()) throw Object.assign(/* @__PURE__ */ new Error(`is a directory: ${path}`), { code: "EISDIR" });
			const [parent, name] = splitRel(rel);
			let file;
			try {
				file = inDir(e.layer, parent, (dir) => dir.openFile(name));
			} catch (err) {
				const code = err.code;
				if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "ELOOP") throw err;
			}
			if (!file) throw new StrataError("invalid", `${path} is not a regular file`);
			return file;
		}
		read(path) {
			return createReadStream("", {
				fd: this.openFile(path).fd,
				autoClose: true
			});
		}
		/** Up to `maxBytes` of the file at `path`, and its whole size. */
		readBytes(path, maxBytes) {
			const { fd, stat } = this.openFile(path);
			try {
				return {
					data: readUpTo(fd, Math.min(maxBytes, stat.size)),
					size: stat.size
				};
			} finally {
				closeSync(fd);
			}
		}
		/** The file as text (at most `maxBytes`, /etc/passwd and the like); undefined when it cannot be read. */
		readText(path, maxBytes = 16 << 20) {
			try {
				return this.readBytes(path, maxBytes).data.toString("utf8");
			} catch {
				return;
			}
		}
		/**
		* The upper dir's directory holding `rel`, pinned, after making sure each of its parents exists
		* there with the metadata it has below (a copy-up, as overlayfs does). Close it when done.
		*/
		upperParent(rel) {
			const names = rel.split("/");
			names.pop();
			let dir = PinnedDir.open(this.upperDir);
			try {
				names.forEach((name, i) => {
					const st = dir.lstat(name);
					if (!st?.isDirectory()) this.copyUpDir(dir, name, names.slice(0, i + 1).join("/"), st);
					const next = dir.dir(name);
					dir.close();
					dir = next;
				});
				return dir;
			} catch (err) {
				dir.close();
				throw err;
			}
		}
		/** Makes directory `name` in `parent` (upper) for `dirRel`, replacing a whiteout or a non-directory. */
		copyUpDir(parent, name, dirRel, st) {
			const whiteout = st !== void 0 && isWhiteout(st);
			const below = whiteout ? void 0 : lowerEntry(this.lowerDirs, dirRel);
			if (st) parent.remove(name);
			parent.mkdir(name);
			const made = parent.dir(name);
			try {
				if (below?.stat.isDirectory()) copyMetadata$1(made, below.stat);
				else if (whiteout) this.hideLowerChildren(dirRel, made);
			} finally {
				made.close();
			}
		}
		/** A directory recreated where one was deleted must not show the old entries: whiteout each. */
		hideLowerChildren(dirRel, dir) {
			const names = /* @__PURE__ */ new Set();
			for (const lower of this.lowerDirs) for (const n of layerReaddir(lower, dirRel) ?? []) names.add(n);
			dir.whiteouts([...names].filter((n) => !dir.lstat(n)));
		}
		/**
		* Puts a new regular file at `name` in `dir`: made under a fresh name with O_EXCL|O_NOFOLLOW
		* (never an existing file, never through a link the container placed), filled, given its mode
		* and owner through its descriptor, then renamed over `name`.
		*/
		replaceFile(dir, name, fill, meta) {
			const tmp = `${name.slice(0, 200)}.strata-tmp-${randomBytes(6).toString("hex")}`;
			const fd = dir.createFile(tmp, 384);
			try {
				fill(fd);
				if (meta.uid !== void 0 && meta.gid !== void 0 && isRoot()) fchownSync(fd, meta.uid, meta.gid);
				fchmodSync(fd, meta.mode & 4095);
			} catch (err) {
				closeSync(fd);
				dir.remove(tmp);
				throw err;
			}
			closeSync(fd);
			if (dir.lstat(name)?.isDirectory()) dir.remove(name);
			dir.rename(tmp, name);
		}
		write(path, data, mode = 420) {
			const rel = this.resolve(path);
			if (rel === "") throw new StrataError("invalid", "cannot write the root directory");
			const existing = this.entry(rel)?.stat;
			if (existing?.isDirectory()) throw Object.assign(/* @__PURE__ */ new Error(`is a directory: ${path}`), { code: "EISDIR" });
			const meta = existing ? {
				mode: existing.mode,
				uid: existing.uid,
				gid: existing.gid
			} : { mode };
			const dir = this.upperParent(rel);
			try {
				this.replaceFile(dir, splitRel(rel)[1], (fd) => writeFileSync(fd, data), meta);
			} finally {
				dir.close();
			}
		}
		/** Copies a host file into the container (streamed by the kernel, never held in memory). */
		copyIn(path, hostFile, mode) {
			const rel = this.resolve(path);
			if (rel === "") throw new StrataError("invalid", "cannot write the root directory");
			const dir = this.upperParent(rel);
			try {
				this.replaceFile(dir, splitRel(rel)[1], (fd) => copyFileSync(hostFile, fdPath(fd)), { mode });
			} finally {
				dir.close();
			}
		}
		/** Makes a symlink in the container (replacing what was there). */
		symlink(path, target) {
			const rel = this.resolve(path, false);
			if (rel === "") throw new StrataError("invalid", "cannot replace the root directory");
			const dir = this.upperParent(rel);
			try {
				const name = splitRel(rel)[1];
				dir.remove(name);
				dir.symlink(name, target);
			} finally {
				dir.close();
			}
		}
		mkdir(path, mode = 493) {
			const parts = this.resolve(path).split("/").filter(Boolean);
			for (let i = 1; i <= parts.length; i++) {
				const dirRel = parts.slice(0, i).join("/");
				const e = this.entry(dirRel);
				if (e?.stat.isDirectory()) continue;
				if (e) throw Object.assign(/* @__PURE__ */ new Error(`not a directory: /${dirRel}`), { code: "ENOTDIR" });
				const parent = this.upperParent(dirRel);
				try {
					const name = parts[i - 1];
					const st = parent.lstat(name);
					if (st) parent.remove(name);
					parent.mkdir(name, mode);
					const made = parent.dir(name);
					try {
						chmodSync(made.path, mode);
						if (st && isWhiteout(st)) this.hideLowerChildren(dirRel, made);
					} finally {
						made.close();
					}
				} finally {
					parent.close();
				}
			}
		}
		remove(path) {
			const rel = this.resolve(path, false);
			if (rel === "") throw new StrataError("invalid", "cannot remove the root directory");
			if (!this.entry(rel)) throw Object.assign(/* @__PURE__ */ new Error(`no such file or directory: ${path}`), { code: "ENOENT" });
			const dir = this.upperParent(rel);
			try {
				const name = splitRel(rel)[1];
				dir.remove(name);
				if (lowerEntry(this.lowerDirs, rel)) dir.whiteouts([name]);
			} finally {
				dir.close();
			}
			if (this.opaque.delete(rel)) writeOpaque(this.upperDir, this.opaque);
		}
	};
}));
// src/main/engine/snapshot/unpack.ts
/**
* Unpacks one layer tar into an empty directory in overlayfs's format: whiteouts become 0:0
* character devices; an opaque directory becomes whiteouts for every name the layers below hold
* there (so no xattr is needed — the snapshot is keyed by chain ID, so "below" never changes).
* Entries are checked like ingest does (no `..`, no absolute paths, nothing written through a
* symlink of the same layer). Ownership is applied only when running as root; a rootless user's
* files are owned by them and appear as root inside the user namespace.
*/
async function unpackLayer(source, target, lowerDirsBelow) {
	const tracker = new LayerPathTracker();
	const made = /* @__PURE__ */ new Set([target]);
	const ensureDir = (dir) => {
		if (made.has(dir)) return;
		mkdirSync(dir, { recursive: true });
		made.add(dir);
	};
	const whiteouts = [];
	const opaque = [];
	const dirTimes = [];
	const extract = tar.extract();
	const done = pipeline(source, extract);
	done.catch(() => {});
	for await (const entry of extract) {
		const header = entry.header;
		const rel = checkLayerEntry(header, tracker);
		const slash = rel.lastIndexOf("/");
		const base = rel.slice(slash + 1);
		const parentRel = slash === -1 ? "" : rel.slice(0, slash);
		if (rel === "") {
			entry.resume();
			continue;
		}
		if (base === ".wh..wh..opq") {
			opaque.push(parentRel);
			mkdirSync(join(target, parentRel), { recursive: true });
			entry.resume();
			continue;
		}
		if (base.startsWith(".wh.")) {
			const hidden = join(parentRel, base.slice(WHITEOUT_PREFIX.length));
			mkdirSync(join(target, parentRel), { recursive: true });
			removeExisting(join(target, hidden));
			whiteouts.push(join(target, hidden));
			entry.resume();
			continue;
		}
		const dest = join(target, rel);
		ensureDir(dirname(dest));
		const mode = (header.mode ?? 420) & 4095;
		const mtime = header.mtime ?? /* @__PURE__ */ new Date(0);
		switch (header.type) {
			case "directory": {
				const st = lstatOrUndefined(dest);
				if (st && !st.isDirectory()) removeExisting(dest);
				if (!st || !st.isDirectory()) mkdirSync(dest);
				if (isRoot()) lchownSync(dest, header.uid ?? 0, header.gid ?? 0);
				dirTimes.push({
					path: dest,
					mtime,
					mode
				});
				entry.resume();
				break;
			}
			case "file":
			case "contiguous-file":
				removeExisting(dest);
				if ((header.size ?? 0) <= SMALL_FILE) {
					const chunks = [];
					for await (const chunk of entry) chunks.push(chunk);
					writeFileSync(dest, Buffer.concat(chunks), { mode: 384 });
				} else await pipeline(entry, createWriteStream(dest, { mode: 384 }));
				applyOwnerMode(dest, header.uid, header.gid, mode);
				lutimesSync(dest, mtime, mtime);
				break;
			case "symlink":
				removeExisting(dest);
				symlinkSync(header.linkname ?? "", dest);
				if (isRoot()) lchownSync(dest, header.uid ?? 0, header.gid ?? 0);
				lutimesSync(dest, mtime, mtime);
				entry.resume();
				break;
			case "link": {
				removeExisting(dest);
				const linkRel = checkLinkTarget(header.linkname ?? "");
				const inLayer = join(target, linkRel);
				if (existsSync(inLayer)) linkSync(inLayer, dest);
				else {
					const below = lowerEntry(lowerDirsBelow, linkRel);
					if (!below || below.stat.isDirectory()) throw new StrataError("data-loss", `hardlink target not found: ${header.name} -> ${header.linkname}`);
					if (below.stat.isSymbolicLink()) {
						symlinkSync(readlinkSync(join(below.dir, linkRel)), dest);
						tracker.record(rel, true);
					} else copyFileSync(join(below.dir, linkRel), dest);
				}
				if (!lstatSync(dest).isSymbolicLink()) {
					applyOwnerMode(dest, header.uid, header.gid, mode);
					lutimesSync(dest, mtime, mtime);
				}
				entry.resume();
				break;
			}
			case "character-device":
			case "block-device":
			case "fifo":
				removeExisting(dest);
				if (isRoot() && isUnderDev(rel) || header.type === "fifo") {
					makeDevice(dest, header.type, header.devmajor ?? 0, header.devminor ?? 0);
					applyOwnerMode(dest, header.uid, header.gid, mode);
				}
				entry.resume();
				break;
			default: entry.resume();
		}
	}
	await done;
	for (const dir of opaque) whiteouts.push(...hiddenByOpaque(target, dir, lowerDirsBelow));
	makeWhiteouts(whiteouts);
	for (const d of dirTimes.reverse()) {
		chmodSync(d.path, d.mode);
		lutimesSync(d.path, d.mtime, d.mtime);
	}
}
function checkLinkTarget(linkname) {
	return linkname.split("/").filter((p) => p && p !== ".").join("/");
}
function hiddenByOpaque(target, dir, lowerDirsBelow) {
	const names = /* @__PURE__ */ new Set();
	for (const lower of lowerDirsBelow) for (const n of layerReaddir(lower, dir) ?? []) names.add(n);
	return [...names].filter((n) => !lstatOrUndefined(join(target, dir, n))).map((n) => join(target, dir, n));
}
function applyOwnerMode(path, uid, gid, mode) {
	if (isRoot()) lchownSync(path, uid ?? 0, gid ?? 0);
	chmodSync(path, mode);
}
function removeExisting(path) {
	if (lstatOrUndefined(path)) rmSync(path, {
		recursive: true,
		force: true
	});
}
function lstatOrUndefined(path) {
	try {
		return lstatSync(path);
	} catch {
		return;
	}
}
var SMALL_FILE;
var init_unpack = __esmMin((() => {
	init_tar_safety();
	init_file_index();
	init_whiteout();
	init_rootfs();
	init_errors$2();
	SMALL_FILE = 1 << 20;
}));
// src/main/engine/snapshot/snapshotter.ts
var Snapshotter;
var init_snapshotter = __esmMin((() => {
	init_layer_ingest();
	init_digest();
	init_unpack();
	init_rootfs();
	init_errors$2();
	Snapshotter = class {
		engine;
		root;
		pending = /* @__PURE__ */ new Map();
		constructor(engine) {
			this.engine = engine;
			this.root = engine.dir("snapshots");
		}
		/** The snapshot directory of a chain ID (it may not exist yet). */
		dirOf(chainId) {
			return join(this.root, hexOf(chainId), "fs");
		}
		/** Unpacks each layer of the image once and returns the read-only directories, lowest first. */
		async lowerDirs(imageId) {
			const dirs = [];
			for (const layer of this.engine.images.layers(imageId)) dirs.push(await this.ensure(layer, [...dirs]));
			return dirs;
		}
		/**
		* Like lowerDirs, for a layer stack that is not an image (yet): a build's intermediate state.
		* Layers are given lowest first; their chain IDs are computed here.
		*/
		async lowerDirsForLayers(layers) {
			const chains = chainIds(layers.map((l) => l.diffId));
			const dirs = [];
			for (let i = 0; i < layers.length; i++) dirs.push(await this.ensure({
				...layers[i],
				chainId: chains[i]
			}, [...dirs]));
			return dirs;
		}
		ensure(layer, below) {
			const dir = this.dirOf(layer.chainId);
			if (existsSync(dir)) return Promise.resolve(dir);
			let p = this.pending.get(layer.chainId);
			if (!p) {
				p = this.unpack(layer, below, dir).finally(() => this.pending.delete(layer.chainId));
				this.pending.set(layer.chainId, p);
			}
			return p;
		}
		async unpack(layer, below, dir) {
			const parent = join(this.root, hexOf(layer.chainId));
			mkdirSync(parent, { recursive: true });
			const tmp = join(parent, `tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
			mkdirSync(tmp, { mode: 493 });
			try {
				await unpackLayer(this.engine.content.read(layer.blobDigest).pipe(decompressor(layer.compression)), tmp, below);
				try {
					renameSync(tmp, dir);
				} catch (err) {
					if (!existsSync(dir)) throw err;
					removeTree(tmp);
				}
				return dir;
			} catch (err) {
				removeTree(tmp);
				throw new StrataError("data-loss", `cannot unpack layer ${layer.diffId}: ${err.message}`);
			}
		}
		/**
		* Removes snapshots no image uses any more (their chain ID is in no image's layer stack), and
		* unpacks a crash left half-done. Snapshots younger than `olderThanMs` are kept: a build in
		* progress may be running on layers no image records yet. Containers keep their image's
		* records, so their snapshots always stay. Returns how many directories were removed.
		*/
		prune(options = {}) {
			const olderThan = Date.now() - (options.olderThanMs ?? 36e5);
			const inUse = new Set(this.engine.db.prepare("SELECT DISTINCT chain_id FROM image_layers").all().map((r) => r.chain_id));
			let removed = 0;
			for (const name of this.listHex()) {
				const dir = join(this.root, name);
				for (const entry of readdirSync(dir)) if (entry.startsWith("tmp-") && statSync(join(dir, entry)).mtimeMs < olderThan) removeTree(join(dir, entry));
				if (inUse.has(`sha256:${name}`) || statSync(dir).mtimeMs >= olderThan) continue;
				removeTree(dir);
				removed++;
			}
			return removed;
		}
		listHex() {
			try {
				return readdirSync(this.root).filter((n) => /^[a-f0-9]{64}$/.test(n));
			} catch {
				return [];
			}
		}
	};
}));
// src/main/engine/snapshot/changes.ts
/** Lowest-first lower dirs: does `rel` exist in any of them (docker checks each layer alone). */
function lowerStat(lowerDirs, rel) {
	for (let i = lowerDirs.length - 1; i >= 0; i--) {
		const st = layerLstat(lowerDirs[i], rel);
		if (st === "hidden") return void 0;
		if (st) {
			const [parent, name] = splitRel(rel);
			return inDir(lowerDirs[i], parent, (dir) => dir.lstatBig(name));
		}
	}
}
function sortedNames(dir) {
	return dir.names().sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
/** Walks the upper dir depth first in sorted order, every directory pinned (see safe-path.ts). */
async function walkUpper(upperDir, visit) {
	const walk = async (dir, rel) => {
		for (const name of sortedNames(dir)) {
			const sub = await visit(dir, rel, name);
			if (!sub) continue;
			try {
				await walk(sub, rel ? `${rel}/${name}` : name);
			} finally {
				sub.close();
			}
		}
	};
	const root = PinnedDir.open(upperDir);
	try {
		await walk(root, "");
	} finally {
		root.close();
	}
}
/**
* What changed in a container, by docker's overlay rules (moby archive.OverlayChanges): walk the
* upper dir only and consult the lower layers just for the paths found there, so the cost is
* proportional to the changes. A whiteout or an opaque directory over a lower one is `D`; a path
* also present below is `C`, except a directory whose size, mode and mtime are unchanged; anything
* else is `A`. The parent of an added or deleted path is reported `C` once, just before it.
*/
async function changes(lowerDirs, upperDir) {
	const opaque = readOpaque(upperDir);
	const out = [];
	const changedDirs = /* @__PURE__ */ new Set();
	await walkUpper(upperDir, async (dir, rel, name) => {
		const childRel = rel ? `${rel}/${name}` : name;
		const st = dir.lstatBig(name);
		if (!st) return void 0;
		const path = `/${childRel}`;
		let kind;
		const below = lowerStat(lowerDirs, childRel);
		if (isWhiteout(st)) kind = "D";
		else if (st.isDirectory() && opaque.has(childRel) && below) kind = "D";
		else if (!below) kind = "A";
		else if (st.isDirectory() && below.isDirectory() && st.size === below.size && st.mode === below.mode && st.mtimeNs === below.mtimeNs) kind = void 0;
		else kind = "C";
		if (kind !== void 0) {
			if (st.isDirectory()) changedDirs.add(path);
			if (kind === "A" || kind === "D") {
				const parent = `/${rel}`;
				if (rel !== "" && !changedDirs.has(parent)) {
					out.push({
						kind: "C",
						path: parent
					});
					changedDirs.add(parent);
				}
			}
			out.push({
				kind,
				path
			});
		}
		return st.isDirectory() ? subdirOrUndefined(dir, name) : void 0;
	});
	return out;
}
/** Host IDs → container IDs: a rootless user's files belong to root inside the user namespace. */
function containerIds(uid, gid) {
	const hostUid = process.getuid?.() ?? 0;
	const hostGid = process.getgid?.() ?? 0;
	if (hostUid === 0) return {
		uid,
		gid
	};
	return {
		uid: uid === hostUid ? 0 : uid,
		gid: gid === hostGid ? 0 : gid
	};
}
/**
* Streams the upper dir as an OCI layer tar: entries in sorted order, whiteouts as `.wh.name`,
* opaque directories followed by `.wh..wh..opq`, hardlinks within the layer as links. Timestamps
* and owners come from the files, so the same upper dir always gives the same bytes.
*/
function packUpper(upperDir) {
	const pack = tar.pack();
	const out = new PassThrough();
	pack.on("error", (err) => out.destroy(err));
	pack.pipe(out);
	const opaque = readOpaque(upperDir);
	const inodes = /* @__PURE__ */ new Map();
	const entry = (header, body) => new Promise((resolve, reject) => {
		pack.entry(header, body ?? "", (err) => err ? reject(err) : resolve());
	});
	const headerOf = (st) => {
		const ids = containerIds(st.uid, st.gid);
		return {
			mtime: st.mtime,
			uid: ids.uid,
			gid: ids.gid,
			mode: st.mode & 4095
		};
	};
	const visit = async (dir, rel, name) => {
		const childRel = rel ? `${rel}/${name}` : name;
		const st = dir.lstat(name);
		if (!st) return void 0;
		if (isWhiteout(st)) {
			const wh = rel ? `${rel}/${WHITEOUT_PREFIX}${name}` : `${WHITEOUT_PREFIX}${name}`;
			await entry({
				...headerOf(st),
				name: wh,
				type: "file",
				size: 0,
				mode: 420,
				uid: 0,
				gid: 0
			});
		} else if (st.isDirectory()) {
			const sub = subdirOrUndefined(dir, name);
			if (!sub) return void 0;
			const base = headerOf(fstatSync(sub.fd));
			await entry({
				...base,
				name: `${childRel}/`,
				type: "directory"
			});
			if (opaque.has(childRel)) await entry({
				...base,
				name: `${childRel}/${OPAQUE_WHITEOUT}`,
				type: "file",
				size: 0,
				mode: 420,
				uid: 0,
				gid: 0
			});
			return sub;
		} else if (st.isSymbolicLink()) {
			let target;
			try {
				target = dir.readlink(name);
			} catch {
				return;
			}
			await entry({
				...headerOf(st),
				name: childRel,
				type: "symlink",
				linkname: target
			});
		} else if (st.isFile()) await fileEntry(dir, name, childRel);
		else if (st.isFIFO()) await entry({
			...headerOf(st),
			name: childRel,
			type: "fifo"
		});
		else if (st.isCharacterDevice() || st.isBlockDevice()) {
			const rdev = st.rdev;
			await entry({
				...headerOf(st),
				name: childRel,
				type: st.isCharacterDevice() ? "character-device" : "block-device",
				devmajor: Math.floor(rdev / 256) & 4095,
				devminor: rdev & 255 | rdev >> 12 & 1048320
			});
		}
	};
	/** A regular file: header and body from the opened descriptor; hard links within the layer as links. */
	const fileEntry = async (dir, name, childRel) => {
		const file = dir.openFile(name);
		if (!file) return;
		const { fd, stat } = file;
		const key = `${stat.dev}:${stat.ino}`;
		const first = stat.nlink > 1 ? inodes.get(key) : void 0;
		if (first) {
			closeSync(fd);
			await entry({
				...headerOf(stat),
				name: childRel,
				type: "link",
				linkname: first
			});
			return;
		}
		if (stat.nlink > 1) inodes.set(key, childRel);
		await new Promise((resolve, reject) => {
			const w = pack.entry({
				...headerOf(stat),
				name: childRel,
				type: "file",
				size: stat.size
			}, (err) => err ? reject(err) : resolve());
			fixedSizeStream(fd, stat.size).on("error", reject).pipe(w);
		});
	};
	walkUpper(upperDir, visit).then(() => pack.finalize(), (err) => out.destroy(err));
	return out;
}
/**
* The container's changes as a new layer in the content store (uncompressed tar: diff ID = blob
* digest). An empty change set is a valid, empty layer. Call under `engine.gc.withLease` and
* record the layer in an image before the lease ends.
*/
async function layerFromUpper(engine, _lowerDirs, upperDir) {
	return ingestLayer(engine.content, packUpper(upperDir));
}
var init_changes = __esmMin((() => {
	init_layer_ingest();
	init_file_index();
	init_whiteout();
	init_rootfs();
	init_safe_path();
}));
// src/main/engine/runtime/mounts.ts
/** Root keeps the host's IDs (like docker); anyone else becomes root of a new user namespace. */
function namespaceArgs() {
	return [
		...isRoot() ? [] : ["--map-root-user"],
		"--mount",
		"--propagation",
		"private"
	];
}
/** overlayfs options for our layers; in a user namespace overlayfs keeps its marks in user.* xattrs. */
function overlayOptions(lowerTopFirst, upperDir, workDir) {
	for (const d of [
		...lowerTopFirst,
		upperDir ?? "",
		workDir ?? ""
	]) if (/[,:]/.test(d)) throw new StrataError("invalid", `overlayfs cannot use a path containing ',' or ':': ${d}`);
	let cwd = "/";
	let lowers = lowerTopFirst;
	if (lowers.join(":").length > 3e3) {
		const parent = lowers[0].split("/").slice(0, -2).join("/");
		if (lowers.every((l) => l.startsWith(`${parent}/`))) {
			cwd = parent;
			lowers = lowers.map((l) => l.slice(parent.length + 1));
		}
	}
	let options = `lowerdir=${lowers.join(":")}`;
	if (upperDir && workDir) options += `,upperdir=${upperDir},workdir=${workDir}`;
	if (!isRoot()) options += ",userxattr";
	return {
		cwd,
		options
	};
}
var init_mounts = __esmMin((() => {
	init_whiteout();
	init_errors$2();
}));
// src/main/engine/runtime/opaque.ts
/**
* Which directories of an upper dir overlayfs marked opaque (removed and made again), found
* without reading xattrs (Node cannot): every upper directory that also exists below gets a
* marker file in an extra layer placed just under the upper dir; in a read-only overlay mount of
* (upper, markers, lowers) a marker is hidden exactly when its directory is opaque. One mount
* answers every candidate; the result goes to `<upperDir>.opaque`, which `changes`,
* `layerFromUpper` and the file view read. Runs after each process, so reads stay spawn-free.
*/
async function detectOpaqueDirs(lowerDirs, upperDir) {
	const candidates = [];
	walkTree(upperDir, (rel, st) => {
		if (!st.isDirectory()) return false;
		if (lowerEntry(lowerDirs, rel)?.stat.isDirectory()) candidates.push(rel);
		return true;
	});
	if (candidates.length === 0) {
		writeOpaque(upperDir, []);
		return [];
	}
	const scratch = mkdtempSync(join(tmpdir(), "strata-probe-"));
	const marker = `.strata-probe-${randomBytes(4).toString("hex")}`;
	try {
		const markers = join(scratch, "markers");
		for (const d of candidates) {
			mkdirSync(join(markers, d), { recursive: true });
			writeFileSync(join(markers, d, marker), "");
		}
		mkdirSync(join(scratch, "m"));
		const overlay = overlayOptions([
			upperDir,
			markers,
			...[...lowerDirs].reverse()
		]);
		const script = "set -e; cd \"$1\"; mount -t overlay overlay -o \"ro,$2\" \"$3\"; m=\"$3\"; k=\"$4\"; shift 4; for d; do [ -e \"$m/$d/$k\" ] || printf \"%s\\n\" \"$d\"; done";
		const args = [
			...namespaceArgs(),
			"/bin/sh",
			"-c",
			script,
			"sh",
			overlay.cwd,
			overlay.options,
			join(scratch, "m"),
			marker,
			...candidates
		];
		const found = (await new Promise((resolve, reject) => {
			const child = spawn("unshare", args, { stdio: [
				"ignore",
				"pipe",
				"pipe"
			] });
			let stdout = "";
			let stderr = "";
			child.stdout.on("data", (d) => stdout += d.toString());
			child.stderr.on("data", (d) => stderr += d.toString());
			child.on("error", reject);
			child.on("close", (code) => code === 0 ? resolve(stdout) : reject(/* @__PURE__ */ new Error(`opaque probe failed: ${stderr.trim()}`)));
		})).split("\n").filter(Boolean);
		const opaque = found.filter((d) => !found.some((o) => d.startsWith(`${o}/`)));
		writeOpaque(upperDir, opaque);
		return opaque;
	} finally {
		removeTree(scratch);
	}
}
var init_opaque = __esmMin((() => {
	init_rootfs();
	init_safe_path();
	init_mounts();
}));
// src/main/engine/runtime/exec-error.ts
var ExecError;
var init_exec_error = __esmMin((() => {
	init_errors$2();
	ExecError = class extends StrataError {
		exitCode;
		constructor(message, exitCode) {
			super(exitCode === 127 ? "not-found" : exitCode === 126 ? "permission-denied" : "invalid", message, { details: { exitCode } });
			this.exitCode = exitCode;
		}
	};
}));
// src/main/engine/runtime/user.ts
function table(view, file) {
	return (view.readText(file) ?? "").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(":"));
}
/**
* docker's `--user` rules (moby/sys/user GetExecUser): a name must be in the rootfs's /etc/passwd;
* a numeric uid may be absent from it (gid then defaults to 0); `:group` is a name in /etc/group
* or a number.
*/
function resolveUser(view, spec) {
	const [userPart = "", groupPart] = (spec ?? "").split(":", 2);
	const passwd = table(view, "/etc/passwd");
	let uid = 0;
	let gid = 0;
	let home = "/";
	if (userPart === "") {
		const root = passwd.find((p) => p[2] === "0");
		if (root) home = root[5] ?? "/";
		else home = "/root";
	} else {
		const byName = passwd.find((p) => p[0] === userPart);
		const byId = /^\d+$/.test(userPart) ? passwd.find((p) => p[2] === userPart) : void 0;
		const entry = byName ?? byId;
		if (!entry && !/^\d+$/.test(userPart)) throw new ExecError(`unable to find user ${userPart}: no matching entries in passwd file`, 126);
		uid = entry ? Number(entry[2]) : Number(userPart);
		gid = entry ? Number(entry[3]) : 0;
		home = entry?.[5] || "/";
	}
	if (groupPart !== void 0 && groupPart !== "") {
		const group = table(view, "/etc/group").find((g) => g[0] === groupPart || /^\d+$/.test(groupPart) && g[2] === groupPart);
		if (!group && !/^\d+$/.test(groupPart)) throw new ExecError(`unable to find group ${groupPart}: no matching entries in group file`, 126);
		gid = group ? Number(group[2]) : Number(groupPart);
	}
	return {
		uid,
		gid,
		home
	};
}
var init_user = __esmMin((() => {
	init_exec_error();
}));
// src/main/engine/runtime/copy-rootfs.ts
/**
* The fallback when overlayfs cannot be mounted: the container runs on a private copy of its
* merged filesystem, and afterwards the difference is written back into the upper dir in
* overlayfs's format, so diff, commit and the file view work unchanged. Costs a copy of the image
* per run; overlayfs is always preferred.
*/
function materialize(lowerDirs, upperDir, target) {
	mkdirSync(target, { recursive: true });
	for (const layer of lowerDirs) applyLayer$1(layer, target, /* @__PURE__ */ new Set());
	applyLayer$1(upperDir, target, readOpaque(upperDir));
}
function copyMetadata(path, st) {
	if (isRoot()) lchownSync(path, st.uid, st.gid);
	if (!st.isSymbolicLink()) chmodSync(path, st.mode & 4095);
	lutimesSync(path, st.atime, st.mtime);
}
function copyEntry(src, dest, st) {
	if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dest);
	else if (st.isFile()) copyFileSync(src, dest);
	else return;
	copyMetadata(dest, st);
}
function applyLayer$1(layer, target, opaque) {
	const dirTimes = [];
	const walk = (rel) => {
		for (const name of readdirSync(join(layer, rel))) {
			const childRel = rel ? `${rel}/${name}` : name;
			const src = join(layer, childRel);
			const dest = join(target, childRel);
			const st = lstatSync(src);
			const existing = lstatOrUndefined$1(dest);
			if (isWhiteout(st)) {
				if (existing) rmSync(dest, {
					recursive: true,
					force: true
				});
				continue;
			}
			if (st.isDirectory()) {
				if (existing && (!existing.isDirectory() || opaque.has(childRel))) rmSync(dest, {
					recursive: true,
					force: true
				});
				if (!existing?.isDirectory() || opaque.has(childRel)) mkdirSync(dest);
				walk(childRel);
				dirTimes.push({
					path: dest,
					st
				});
				continue;
			}
			if (existing) rmSync(dest, {
				recursive: true,
				force: true
			});
			copyEntry(src, dest, st);
		}
	};
	walk("");
	for (const d of dirTimes) copyMetadata(d.path, d.st);
}
function sameEntry(a, b) {
	const type = (s) => s.isDirectory() ? "d" : s.isSymbolicLink() ? "l" : s.isFile() ? "f" : "o";
	if (type(a) !== type(b) || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return false;
	if (a.isDirectory()) return true;
	return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
/**
* Rewrites the upper dir as the difference between the copy the container ran on and the
* lower layers: new or changed entries copied up, removed ones whited out. `skip` are paths the
* sandbox created as mount points.
*/
function syncBack(lowerDirs, upperDir, root, skip) {
	for (const n of readdirSync(upperDir)) rmSync(join(upperDir, n), {
		recursive: true,
		force: true
	});
	const whiteouts = [];
	const dirTimes = [];
	const ensureUpperDir = (rel) => {
		if (rel === "" || lstatOrUndefined$1(join(upperDir, rel))) return;
		ensureUpperDir(rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "");
		mkdirSync(join(upperDir, rel));
		dirTimes.push({
			path: join(upperDir, rel),
			st: lstatSync(join(root, rel))
		});
	};
	const walk = (rel) => {
		const names = new Set(readdirSync(join(root, rel)));
		for (const name of names) {
			const childRel = rel ? `${rel}/${name}` : name;
			const st = lstatSync(join(root, childRel));
			const below = lowerEntry(lowerDirs, childRel);
			if (!below && skip.has(childRel)) continue;
			if (below && sameEntry(st, below.stat)) {
				if (st.isDirectory()) {
					if (st.mtimeMs !== below.stat.mtimeMs && !skip.has(childRel)) ensureUpperDir(childRel);
					walk(childRel);
				}
				continue;
			}
			ensureUpperDir(rel);
			if (st.isDirectory()) {
				ensureUpperDir(childRel);
				walk(childRel);
			} else copyEntry(join(root, childRel), join(upperDir, childRel), st);
		}
		const lowerNames = /* @__PURE__ */ new Set();
		for (const l of lowerDirs) for (const n of layerReaddir(l, rel) ?? []) lowerNames.add(n);
		for (const n of lowerNames) {
			const childRel = rel ? `${rel}/${n}` : n;
			if (names.has(n) || !lowerEntry(lowerDirs, childRel)) continue;
			ensureUpperDir(rel);
			whiteouts.push(join(upperDir, childRel));
		}
	};
	walk("");
	makeWhiteouts(whiteouts);
	for (const d of dirTimes.reverse()) copyMetadata(d.path, d.st);
	writeOpaque(upperDir, []);
}
var init_copy_rootfs = __esmMin((() => {
	init_rootfs();
	init_whiteout();
}));
// src/main/engine/runtime/policy.ts
/**
* The sandbox policy as data, after docker's defaults (moby oci/defaults.go, oci/caps/defaults.go):
* what RUN, `run` and `exec` may see and do. One function turns it into bwrap arguments; every
* sandboxed process goes through it (see docs/containers.md).
*/
/** `--network` as given to `run`/`create`/`build`: docker's names, `default` is `bridge`. */
function parseNetworkMode(value) {
	if (value === "default") return "bridge";
	return value === "host" || value === "none" || value === "bridge" ? value : void 0;
}
/**
* bwrap arguments that mount /proc and /sys with docker's masks, after bwrap's own namespaces
* and root are set up. bwrap covers some /proc paths itself, but only those its access(W_OK)
* probe finds writable — as root that probe misses /proc/sys (its root directory answers EACCES
* even to root), so the host's sysctls stayed writable. Here every path is covered, always.
* The read-only binds come from the host's /proc: sysctls resolve per reader namespace (a
* container's hostname, network), so the content is the sandbox's own. /sys is an empty
* read-only tmpfs: a fresh sysfs can only be mounted from inside the network namespace, which
* bwrap creates later, and the host's /sys (with debugfs, cgroups…) must not be shown.
* `emptyFile` is an empty host file bound over masked files (docker binds /dev/null; a bound
* device is unreadable on bwrap's nodev mounts).
*/
function procAndSysArgs(emptyFile, exists = existsSync) {
	const args = ["--proc", "/proc"];
	for (const p of READONLY_PATHS) if (exists(p)) args.push("--ro-bind", p, p);
	for (const p of MASKED_PATHS) {
		if (!p.startsWith("/proc/") || !exists(p)) continue;
		args.push(...maskArgs(p, emptyFile, exists));
	}
	args.push("--tmpfs", "/sys", "--remount-ro", "/sys");
	return args;
}
function maskArgs(path, emptyFile, exists) {
	return exists(`${path}/.`) ? [
		"--tmpfs",
		path,
		"--remount-ro",
		path
	] : [
		"--ro-bind",
		emptyFile,
		path
	];
}
var DEFAULT_CAPS, MASKED_PATHS, READONLY_PATHS;
var init_policy = __esmMin((() => {
	DEFAULT_CAPS = [
		"CAP_CHOWN",
		"CAP_DAC_OVERRIDE",
		"CAP_FSETID",
		"CAP_FOWNER",
		"CAP_MKNOD",
		"CAP_NET_RAW",
		"CAP_SETGID",
		"CAP_SETUID",
		"CAP_SETFCAP",
		"CAP_SETPCAP",
		"CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT",
		"CAP_KILL",
		"CAP_AUDIT_WRITE"
	];
	MASKED_PATHS = [
		"/proc/asound",
		"/proc/acpi",
		"/proc/kcore",
		"/proc/keys",
		"/proc/latency_stats",
		"/proc/timer_list",
		"/proc/timer_stats",
		"/proc/sched_debug",
		"/proc/scsi",
		"/sys/firmware",
		"/sys/devices/virtual/powercap"
	];
	READONLY_PATHS = [
		"/proc/bus",
		"/proc/fs",
		"/proc/irq",
		"/proc/sys",
		"/proc/sysrq-trigger"
	];
}));
// src/main/engine/runtime/seccomp/default-profile.json
var default_profile_default = {
	comment: [
		"docker's default seccomp profile (moby profiles/seccomp/default.json), transcribed for x86_64 and aarch64.",
		"As of docker 25 (moby#46762): io_uring_setup/enter/register are not allowed (they bypass seccomp for the ops they carry).",
		"Compiled by seccomp.ts to the classic-BPF program bwrap --seccomp loads. 'allow' is allowed outright",
		"(ptrace and process_vm_* need kernel >= 4.8, always true here); each rule applies only to the arches it names",
		"(all when none), only when the sandbox has every capability in 'ifCaps' and none in 'unlessCaps'.",
		"args: every comparison must hold; 'eq'/'ne' compare the argument, 'maskedEq' (arg & mask) == value;",
		"bits 32 compares the low half only (an int argument: the kernel ignores the high half).",
		"Anything else fails with 'defaultErrno' (EPERM)."
	],
	defaultErrno: 1,
	allow: [
		"accept",
		"accept4",
		"access",
		"adjtimex",
		"alarm",
		"bind",
		"brk",
		"capget",
		"capset",
		"chdir",
		"chmod",
		"chown",
		"chown32",
		"clock_adjtime",
		"clock_adjtime64",
		"clock_getres",
		"clock_getres_time64",
		"clock_gettime",
		"clock_gettime64",
		"clock_nanosleep",
		"clock_nanosleep_time64",
		"close",
		"close_range",
		"connect",
		"copy_file_range",
		"creat",
		"dup",
		"dup2",
		"dup3",
		"epoll_create",
		"epoll_create1",
		"epoll_ctl",
		"epoll_ctl_old",
		"epoll_pwait",
		"epoll_pwait2",
		"epoll_wait",
		"epoll_wait_old",
		"eventfd",
		"eventfd2",
		"execve",
		"execveat",
		"exit",
		"exit_group",
		"faccessat",
		"faccessat2",
		"fadvise64",
		"fadvise64_64",
		"fallocate",
		"fanotify_mark",
		"fchdir",
		"fchmod",
		"fchmodat",
		"fchown",
		"fchown32",
		"fchownat",
		"fcntl",
		"fcntl64",
		"fdatasync",
		"fgetxattr",
		"flistxattr",
		"flock",
		"fork",
		"fremovexattr",
		"fsetxattr",
		"fstat",
		"fstat64",
		"fstatat64",
		"fstatfs",
		"fstatfs64",
		"fsync",
		"ftruncate",
		"ftruncate64",
		"futex",
		"futex_time64",
		"futex_waitv",
		"futimesat",
		"getcpu",
		"getcwd",
		"getdents",
		"getdents64",
		"getegid",
		"getegid32",
		"geteuid",
		"geteuid32",
		"getgid",
		"getgid32",
		"getgroups",
		"getgroups32",
		"getitimer",
		"getpeername",
		"getpgid",
		"getpgrp",
		"getpid",
		"getppid",
		"getpriority",
		"getrandom",
		"getresgid",
		"getresgid32",
		"getresuid",
		"getresuid32",
		"getrlimit",
		"get_robust_list",
		"getrusage",
		"getsid",
		"getsockname",
		"getsockopt",
		"get_thread_area",
		"gettid",
		"gettimeofday",
		"getuid",
		"getuid32",
		"getxattr",
		"inotify_add_watch",
		"inotify_init",
		"inotify_init1",
		"inotify_rm_watch",
		"io_cancel",
		"ioctl",
		"io_destroy",
		"io_getevents",
		"io_pgetevents",
		"io_pgetevents_time64",
		"ioprio_get",
		"ioprio_set",
		"io_setup",
		"io_submit",
		"ipc",
		"kill",
		"landlock_add_rule",
		"landlock_create_ruleset",
		"landlock_restrict_self",
		"lchown",
		"lchown32",
		"lgetxattr",
		"link",
		"linkat",
		"listen",
		"listxattr",
		"llistxattr",
		"_llseek",
		"lremovexattr",
		"lseek",
		"lsetxattr",
		"lstat",
		"lstat64",
		"madvise",
		"membarrier",
		"memfd_create",
		"memfd_secret",
		"mincore",
		"mkdir",
		"mkdirat",
		"mknod",
		"mknodat",
		"mlock",
		"mlock2",
		"mlockall",
		"mmap",
		"mmap2",
		"mprotect",
		"mq_getsetattr",
		"mq_notify",
		"mq_open",
		"mq_timedreceive",
		"mq_timedreceive_time64",
		"mq_timedsend",
		"mq_timedsend_time64",
		"mq_unlink",
		"mremap",
		"msgctl",
		"msgget",
		"msgrcv",
		"msgsnd",
		"msync",
		"munlock",
		"munlockall",
		"munmap",
		"name_to_handle_at",
		"nanosleep",
		"newfstatat",
		"_newselect",
		"open",
		"openat",
		"openat2",
		"pause",
		"pidfd_open",
		"pidfd_send_signal",
		"pipe",
		"pipe2",
		"pkey_alloc",
		"pkey_free",
		"pkey_mprotect",
		"poll",
		"ppoll",
		"ppoll_time64",
		"prctl",
		"pread64",
		"preadv",
		"preadv2",
		"prlimit64",
		"process_mrelease",
		"pselect6",
		"pselect6_time64",
		"pwrite64",
		"pwritev",
		"pwritev2",
		"read",
		"readahead",
		"readlink",
		"readlinkat",
		"readv",
		"recv",
		"recvfrom",
		"recvmmsg",
		"recvmmsg_time64",
		"recvmsg",
		"remap_file_pages",
		"removexattr",
		"rename",
		"renameat",
		"renameat2",
		"restart_syscall",
		"rmdir",
		"rseq",
		"rt_sigaction",
		"rt_sigpending",
		"rt_sigprocmask",
		"rt_sigqueueinfo",
		"rt_sigreturn",
		"rt_sigsuspend",
		"rt_sigtimedwait",
		"rt_sigtimedwait_time64",
		"rt_tgsigqueueinfo",
		"sched_getaffinity",
		"sched_getattr",
		"sched_getparam",
		"sched_get_priority_max",
		"sched_get_priority_min",
		"sched_getscheduler",
		"sched_rr_get_interval",
		"sched_rr_get_interval_time64",
		"sched_setaffinity",
		"sched_setattr",
		"sched_setparam",
		"sched_setscheduler",
		"sched_yield",
		"seccomp",
		"select",
		"semctl",
		"semget",
		"semop",
		"semtimedop",
		"semtimedop_time64",
		"send",
		"sendfile",
		"sendfile64",
		"sendmmsg",
		"sendmsg",
		"sendto",
		"setfsgid",
		"setfsgid32",
		"setfsuid",
		"setfsuid32",
		"setgid",
		"setgid32",
		"setgroups",
		"setgroups32",
		"setitimer",
		"setpgid",
		"setpriority",
		"setregid",
		"setregid32",
		"setresgid",
		"setresgid32",
		"setresuid",
		"setresuid32",
		"setreuid",
		"setreuid32",
		"setrlimit",
		"set_robust_list",
		"setsid",
		"setsockopt",
		"set_thread_area",
		"set_tid_address",
		"setuid",
		"setuid32",
		"setxattr",
		"shmat",
		"shmctl",
		"shmdt",
		"shmget",
		"shutdown",
		"sigaltstack",
		"signalfd",
		"signalfd4",
		"sigprocmask",
		"sigreturn",
		"socketcall",
		"socketpair",
		"splice",
		"stat",
		"stat64",
		"statfs",
		"statfs64",
		"statx",
		"symlink",
		"symlinkat",
		"sync",
		"sync_file_range",
		"syncfs",
		"sysinfo",
		"tee",
		"tgkill",
		"time",
		"timer_create",
		"timer_delete",
		"timer_getoverrun",
		"timer_gettime",
		"timer_gettime64",
		"timer_settime",
		"timer_settime64",
		"timerfd_create",
		"timerfd_gettime",
		"timerfd_gettime64",
		"timerfd_settime",
		"timerfd_settime64",
		"times",
		"tkill",
		"truncate",
		"truncate64",
		"ugetrlimit",
		"umask",
		"uname",
		"unlink",
		"unlinkat",
		"utime",
		"utimensat",
		"utimensat_time64",
		"utimes",
		"vfork",
		"vmsplice",
		"wait4",
		"waitid",
		"waitpid",
		"write",
		"writev",
		"process_vm_readv",
		"process_vm_writev",
		"ptrace"
	],
	rules: [
		{
			"names": ["socket"],
			"args": [{
				"index": 0,
				"op": "ne",
				"value": 40,
				"bits": 32
			}],
			"comment": "no AF_VSOCK"
		},
		{
			"names": ["personality"],
			"args": [{
				"index": 0,
				"op": "eq",
				"value": 0
			}]
		},
		{
			"names": ["personality"],
			"args": [{
				"index": 0,
				"op": "eq",
				"value": 8
			}]
		},
		{
			"names": ["personality"],
			"args": [{
				"index": 0,
				"op": "eq",
				"value": 131072
			}]
		},
		{
			"names": ["personality"],
			"args": [{
				"index": 0,
				"op": "eq",
				"value": 131080
			}]
		},
		{
			"names": ["personality"],
			"args": [{
				"index": 0,
				"op": "eq",
				"value": 4294967295
			}]
		},
		{
			"names": [
				"arm_fadvise64_64",
				"arm_sync_file_range",
				"sync_file_range2",
				"breakpoint",
				"cacheflush",
				"set_tls"
			],
			"arches": ["aarch64"]
		},
		{
			"names": ["arch_prctl", "modify_ldt"],
			"arches": ["x86_64"]
		},
		{
			"names": ["open_by_handle_at"],
			"ifCaps": ["CAP_DAC_READ_SEARCH"]
		},
		{
			"names": [
				"bpf",
				"clone",
				"clone3",
				"fanotify_init",
				"fsconfig",
				"fsmount",
				"fsopen",
				"fspick",
				"lookup_dcookie",
				"mount",
				"mount_setattr",
				"move_mount",
				"open_tree",
				"perf_event_open",
				"quotactl",
				"quotactl_fd",
				"setdomainname",
				"sethostname",
				"setns",
				"syslog",
				"umount",
				"umount2",
				"unshare"
			],
			"ifCaps": ["CAP_SYS_ADMIN"]
		},
		{
			"names": ["clone"],
			"args": [{
				"index": 0,
				"op": "maskedEq",
				"mask": 2114060288,
				"value": 0
			}],
			"unlessCaps": ["CAP_SYS_ADMIN"],
			"comment": "no CLONE_NEW* flags: no new namespaces"
		},
		{
			"names": ["clone3"],
			"errno": 38,
			"unlessCaps": ["CAP_SYS_ADMIN"],
			"comment": "ENOSYS: libc falls back to clone, whose flags can be checked"
		},
		{
			"names": ["reboot"],
			"ifCaps": ["CAP_SYS_BOOT"]
		},
		{
			"names": ["chroot"],
			"ifCaps": ["CAP_SYS_CHROOT"]
		},
		{
			"names": [
				"delete_module",
				"init_module",
				"finit_module"
			],
			"ifCaps": ["CAP_SYS_MODULE"]
		},
		{
			"names": ["acct"],
			"ifCaps": ["CAP_SYS_PACCT"]
		},
		{
			"names": [
				"kcmp",
				"pidfd_getfd",
				"process_madvise",
				"process_vm_readv",
				"process_vm_writev",
				"ptrace"
			],
			"ifCaps": ["CAP_SYS_PTRACE"]
		},
		{
			"names": ["iopl", "ioperm"],
			"ifCaps": ["CAP_SYS_RAWIO"]
		},
		{
			"names": [
				"settimeofday",
				"stime",
				"clock_settime",
				"clock_settime64"
			],
			"ifCaps": ["CAP_SYS_TIME"]
		},
		{
			"names": ["vhangup"],
			"ifCaps": ["CAP_SYS_TTY_CONFIG"]
		},
		{
			"names": [
				"get_mempolicy",
				"mbind",
				"set_mempolicy",
				"set_mempolicy_home_node"
			],
			"ifCaps": ["CAP_SYS_NICE"]
		},
		{
			"names": ["syslog"],
			"ifCaps": ["CAP_SYSLOG"]
		},
		{
			"names": ["bpf"],
			"ifCaps": ["CAP_BPF"]
		},
		{
			"names": ["perf_event_open"],
			"ifCaps": ["CAP_PERFMON"]
		}
	]
};
// src/main/engine/runtime/seccomp/syscalls.json
var syscalls_default = {
	comment: "Syscall numbers from the Linux UAPI headers (asm/unistd_64.h; asm-generic/unistd.h as arm64 builds it).",
	x86_64: {
		"read": 0,
		"write": 1,
		"open": 2,
		"close": 3,
		"stat": 4,
		"fstat": 5,
		"lstat": 6,
		"poll": 7,
		"lseek": 8,
		"mmap": 9,
		"mprotect": 10,
		"munmap": 11,
		"brk": 12,
		"rt_sigaction": 13,
		"rt_sigprocmask": 14,
		"rt_sigreturn": 15,
		"ioctl": 16,
		"pread64": 17,
		"pwrite64": 18,
		"readv": 19,
		"writev": 20,
		"access": 21,
		"pipe": 22,
		"select": 23,
		"sched_yield": 24,
		"mremap": 25,
		"msync": 26,
		"mincore": 27,
		"madvise": 28,
		"shmget": 29,
		"shmat": 30,
		"shmctl": 31,
		"dup": 32,
		"dup2": 33,
		"pause": 34,
		"nanosleep": 35,
		"getitimer": 36,
		"alarm": 37,
		"setitimer": 38,
		"getpid": 39,
		"sendfile": 40,
		"socket": 41,
		"connect": 42,
		"accept": 43,
		"sendto": 44,
		"recvfrom": 45,
		"sendmsg": 46,
		"recvmsg": 47,
		"shutdown": 48,
		"bind": 49,
		"listen": 50,
		"getsockname": 51,
		"getpeername": 52,
		"socketpair": 53,
		"setsockopt": 54,
		"getsockopt": 55,
		"clone": 56,
		"fork": 57,
		"vfork": 58,
		"execve": 59,
		"exit": 60,
		"wait4": 61,
		"kill": 62,
		"uname": 63,
		"semget": 64,
		"semop": 65,
		"semctl": 66,
		"shmdt": 67,
		"msgget": 68,
		"msgsnd": 69,
		"msgrcv": 70,
		"msgctl": 71,
		"fcntl": 72,
		"flock": 73,
		"fsync": 74,
		"fdatasync": 75,
		"truncate": 76,
		"ftruncate": 77,
		"getdents": 78,
		"getcwd": 79,
		"chdir": 80,
		"fchdir": 81,
		"rename": 82,
		"mkdir": 83,
		"rmdir": 84,
		"creat": 85,
		"link": 86,
		"unlink": 87,
		"symlink": 88,
		"readlink": 89,
		"chmod": 90,
		"fchmod": 91,
		"chown": 92,
		"fchown": 93,
		"lchown": 94,
		"umask": 95,
		"gettimeofday": 96,
		"getrlimit": 97,
		"getrusage": 98,
		"sysinfo": 99,
		"times": 100,
		"ptrace": 101,
		"getuid": 102,
		"syslog": 103,
		"getgid": 104,
		"setuid": 105,
		"setgid": 106,
		"geteuid": 107,
		"getegid": 108,
		"setpgid": 109,
		"getppid": 110,
		"getpgrp": 111,
		"setsid": 112,
		"setreuid": 113,
		"setregid": 114,
		"getgroups": 115,
		"setgroups": 116,
		"setresuid": 117,
		"getresuid": 118,
		"setresgid": 119,
		"getresgid": 120,
		"getpgid": 121,
		"setfsuid": 122,
		"setfsgid": 123,
		"getsid": 124,
		"capget": 125,
		"capset": 126,
		"rt_sigpending": 127,
		"rt_sigtimedwait": 128,
		"rt_sigqueueinfo": 129,
		"rt_sigsuspend": 130,
		"sigaltstack": 131,
		"utime": 132,
		"mknod": 133,
		"uselib": 134,
		"personality": 135,
		"ustat": 136,
		"statfs": 137,
		"fstatfs": 138,
		"sysfs": 139,
		"getpriority": 140,
		"setpriority": 141,
		"sched_setparam": 142,
		"sched_getparam": 143,
		"sched_setscheduler": 144,
		"sched_getscheduler": 145,
		"sched_get_priority_max": 146,
		"sched_get_priority_min": 147,
		"sched_rr_get_interval": 148,
		"mlock": 149,
		"munlock": 150,
		"mlockall": 151,
		"munlockall": 152,
		"vhangup": 153,
		"modify_ldt": 154,
		"pivot_root": 155,
		"_sysctl": 156,
		"prctl": 157,
		"arch_prctl": 158,
		"adjtimex": 159,
		"setrlimit": 160,
		"chroot": 161,
		"sync": 162,
		"acct": 163,
		"settimeofday": 164,
		"mount": 165,
		"umount2": 166,
		"swapon": 167,
		"swapoff": 168,
		"reboot": 169,
		"sethostname": 170,
		"setdomainname": 171,
		"iopl": 172,
		"ioperm": 173,
		"create_module": 174,
		"init_module": 175,
		"delete_module": 176,
		"get_kernel_syms": 177,
		"query_module": 178,
		"quotactl": 179,
		"nfsservctl": 180,
		"getpmsg": 181,
		"putpmsg": 182,
		"afs_syscall": 183,
		"tuxcall": 184,
		"security": 185,
		"gettid": 186,
		"readahead": 187,
		"setxattr": 188,
		"lsetxattr": 189,
		"fsetxattr": 190,
		"getxattr": 191,
		"lgetxattr": 192,
		"fgetxattr": 193,
		"listxattr": 194,
		"llistxattr": 195,
		"flistxattr": 196,
		"removexattr": 197,
		"lremovexattr": 198,
		"fremovexattr": 199,
		"tkill": 200,
		"time": 201,
		"futex": 202,
		"sched_setaffinity": 203,
		"sched_getaffinity": 204,
		"set_thread_area": 205,
		"io_setup": 206,
		"io_destroy": 207,
		"io_getevents": 208,
		"io_submit": 209,
		"io_cancel": 210,
		"get_thread_area": 211,
		"lookup_dcookie": 212,
		"epoll_create": 213,
		"epoll_ctl_old": 214,
		"epoll_wait_old": 215,
		"remap_file_pages": 216,
		"getdents64": 217,
		"set_tid_address": 218,
		"restart_syscall": 219,
		"semtimedop": 220,
		"fadvise64": 221,
		"timer_create": 222,
		"timer_settime": 223,
		"timer_gettime": 224,
		"timer_getoverrun": 225,
		"timer_delete": 226,
		"clock_settime": 227,
		"clock_gettime": 228,
		"clock_getres": 229,
		"clock_nanosleep": 230,
		"exit_group": 231,
		"epoll_wait": 232,
		"epoll_ctl": 233,
		"tgkill": 234,
		"utimes": 235,
		"vserver": 236,
		"mbind": 237,
		"set_mempolicy": 238,
		"get_mempolicy": 239,
		"mq_open": 240,
		"mq_unlink": 241,
		"mq_timedsend": 242,
		"mq_timedreceive": 243,
		"mq_notify": 244,
		"mq_getsetattr": 245,
		"kexec_load": 246,
		"waitid": 247,
		"add_key": 248,
		"request_key": 249,
		"keyctl": 250,
		"ioprio_set": 251,
		"ioprio_get": 252,
		"inotify_init": 253,
		"inotify_add_watch": 254,
		"inotify_rm_watch": 255,
		"migrate_pages": 256,
		"openat": 257,
		"mkdirat": 258,
		"mknodat": 259,
		"fchownat": 260,
		"futimesat": 261,
		"newfstatat": 262,
		"unlinkat": 263,
		"renameat": 264,
		"linkat": 265,
		"symlinkat": 266,
		"readlinkat": 267,
		"fchmodat": 268,
		"faccessat": 269,
		"pselect6": 270,
		"ppoll": 271,
		"unshare": 272,
		"set_robust_list": 273,
		"get_robust_list": 274,
		"splice": 275,
		"tee": 276,
		"sync_file_range": 277,
		"vmsplice": 278,
		"move_pages": 279,
		"utimensat": 280,
		"epoll_pwait": 281,
		"signalfd": 282,
		"timerfd_create": 283,
		"eventfd": 284,
		"fallocate": 285,
		"timerfd_settime": 286,
		"timerfd_gettime": 287,
		"accept4": 288,
		"signalfd4": 289,
		"eventfd2": 290,
		"epoll_create1": 291,
		"dup3": 292,
		"pipe2": 293,
		"inotify_init1": 294,
		"preadv": 295,
		"pwritev": 296,
		"rt_tgsigqueueinfo": 297,
		"perf_event_open": 298,
		"recvmmsg": 299,
		"fanotify_init": 300,
		"fanotify_mark": 301,
		"prlimit64": 302,
		"name_to_handle_at": 303,
		"open_by_handle_at": 304,
		"clock_adjtime": 305,
		"syncfs": 306,
		"sendmmsg": 307,
		"setns": 308,
		"getcpu": 309,
		"process_vm_readv": 310,
		"process_vm_writev": 311,
		"kcmp": 312,
		"finit_module": 313,
		"sched_setattr": 314,
		"sched_getattr": 315,
		"renameat2": 316,
		"seccomp": 317,
		"getrandom": 318,
		"memfd_create": 319,
		"kexec_file_load": 320,
		"bpf": 321,
		"execveat": 322,
		"userfaultfd": 323,
		"membarrier": 324,
		"mlock2": 325,
		"copy_file_range": 326,
		"preadv2": 327,
		"pwritev2": 328,
		"pkey_mprotect": 329,
		"pkey_alloc": 330,
		"pkey_free": 331,
		"statx": 332,
		"io_pgetevents": 333,
		"rseq": 334,
		"pidfd_send_signal": 424,
		"io_uring_setup": 425,
		"io_uring_enter": 426,
		"io_uring_register": 427,
		"open_tree": 428,
		"move_mount": 429,
		"fsopen": 430,
		"fsconfig": 431,
		"fsmount": 432,
		"fspick": 433,
		"pidfd_open": 434,
		"clone3": 435,
		"close_range": 436,
		"openat2": 437,
		"pidfd_getfd": 438,
		"faccessat2": 439,
		"process_madvise": 440,
		"epoll_pwait2": 441,
		"mount_setattr": 442,
		"quotactl_fd": 443,
		"landlock_create_ruleset": 444,
		"landlock_add_rule": 445,
		"landlock_restrict_self": 446,
		"memfd_secret": 447,
		"process_mrelease": 448,
		"futex_waitv": 449,
		"set_mempolicy_home_node": 450
	},
	aarch64: {
		"io_setup": 0,
		"io_destroy": 1,
		"io_submit": 2,
		"io_cancel": 3,
		"io_getevents": 4,
		"setxattr": 5,
		"lsetxattr": 6,
		"fsetxattr": 7,
		"getxattr": 8,
		"lgetxattr": 9,
		"fgetxattr": 10,
		"listxattr": 11,
		"llistxattr": 12,
		"flistxattr": 13,
		"removexattr": 14,
		"lremovexattr": 15,
		"fremovexattr": 16,
		"getcwd": 17,
		"lookup_dcookie": 18,
		"eventfd2": 19,
		"epoll_create1": 20,
		"epoll_ctl": 21,
		"epoll_pwait": 22,
		"dup": 23,
		"dup3": 24,
		"fcntl": 25,
		"inotify_init1": 26,
		"inotify_add_watch": 27,
		"inotify_rm_watch": 28,
		"ioctl": 29,
		"ioprio_set": 30,
		"ioprio_get": 31,
		"flock": 32,
		"mknodat": 33,
		"mkdirat": 34,
		"unlinkat": 35,
		"symlinkat": 36,
		"linkat": 37,
		"renameat": 38,
		"umount2": 39,
		"mount": 40,
		"pivot_root": 41,
		"nfsservctl": 42,
		"statfs": 43,
		"fstatfs": 44,
		"truncate": 45,
		"ftruncate": 46,
		"fallocate": 47,
		"faccessat": 48,
		"chdir": 49,
		"fchdir": 50,
		"chroot": 51,
		"fchmod": 52,
		"fchmodat": 53,
		"fchownat": 54,
		"fchown": 55,
		"openat": 56,
		"close": 57,
		"vhangup": 58,
		"pipe2": 59,
		"quotactl": 60,
		"getdents64": 61,
		"lseek": 62,
		"read": 63,
		"write": 64,
		"readv": 65,
		"writev": 66,
		"pread64": 67,
		"pwrite64": 68,
		"preadv": 69,
		"pwritev": 70,
		"sendfile": 71,
		"pselect6": 72,
		"ppoll": 73,
		"signalfd4": 74,
		"vmsplice": 75,
		"splice": 76,
		"tee": 77,
		"readlinkat": 78,
		"newfstatat": 79,
		"fstat": 80,
		"sync": 81,
		"fsync": 82,
		"fdatasync": 83,
		"sync_file_range": 84,
		"timerfd_create": 85,
		"timerfd_settime": 86,
		"timerfd_gettime": 87,
		"utimensat": 88,
		"acct": 89,
		"capget": 90,
		"capset": 91,
		"personality": 92,
		"exit": 93,
		"exit_group": 94,
		"waitid": 95,
		"set_tid_address": 96,
		"unshare": 97,
		"futex": 98,
		"set_robust_list": 99,
		"get_robust_list": 100,
		"nanosleep": 101,
		"getitimer": 102,
		"setitimer": 103,
		"kexec_load": 104,
		"init_module": 105,
		"delete_module": 106,
		"timer_create": 107,
		"timer_gettime": 108,
		"timer_getoverrun": 109,
		"timer_settime": 110,
		"timer_delete": 111,
		"clock_settime": 112,
		"clock_gettime": 113,
		"clock_getres": 114,
		"clock_nanosleep": 115,
		"syslog": 116,
		"ptrace": 117,
		"sched_setparam": 118,
		"sched_setscheduler": 119,
		"sched_getscheduler": 120,
		"sched_getparam": 121,
		"sched_setaffinity": 122,
		"sched_getaffinity": 123,
		"sched_yield": 124,
		"sched_get_priority_max": 125,
		"sched_get_priority_min": 126,
		"sched_rr_get_interval": 127,
		"restart_syscall": 128,
		"kill": 129,
		"tkill": 130,
		"tgkill": 131,
		"sigaltstack": 132,
		"rt_sigsuspend": 133,
		"rt_sigaction": 134,
		"rt_sigprocmask": 135,
		"rt_sigpending": 136,
		"rt_sigtimedwait": 137,
		"rt_sigqueueinfo": 138,
		"rt_sigreturn": 139,
		"setpriority": 140,
		"getpriority": 141,
		"reboot": 142,
		"setregid": 143,
		"setgid": 144,
		"setreuid": 145,
		"setuid": 146,
		"setresuid": 147,
		"getresuid": 148,
		"setresgid": 149,
		"getresgid": 150,
		"setfsuid": 151,
		"setfsgid": 152,
		"times": 153,
		"setpgid": 154,
		"getpgid": 155,
		"getsid": 156,
		"setsid": 157,
		"getgroups": 158,
		"setgroups": 159,
		"uname": 160,
		"sethostname": 161,
		"setdomainname": 162,
		"getrlimit": 163,
		"setrlimit": 164,
		"getrusage": 165,
		"umask": 166,
		"prctl": 167,
		"getcpu": 168,
		"gettimeofday": 169,
		"settimeofday": 170,
		"adjtimex": 171,
		"getpid": 172,
		"getppid": 173,
		"getuid": 174,
		"geteuid": 175,
		"getgid": 176,
		"getegid": 177,
		"gettid": 178,
		"sysinfo": 179,
		"mq_open": 180,
		"mq_unlink": 181,
		"mq_timedsend": 182,
		"mq_timedreceive": 183,
		"mq_notify": 184,
		"mq_getsetattr": 185,
		"msgget": 186,
		"msgctl": 187,
		"msgrcv": 188,
		"msgsnd": 189,
		"semget": 190,
		"semctl": 191,
		"semtimedop": 192,
		"semop": 193,
		"shmget": 194,
		"shmctl": 195,
		"shmat": 196,
		"shmdt": 197,
		"socket": 198,
		"socketpair": 199,
		"bind": 200,
		"listen": 201,
		"accept": 202,
		"connect": 203,
		"getsockname": 204,
		"getpeername": 205,
		"sendto": 206,
		"recvfrom": 207,
		"setsockopt": 208,
		"getsockopt": 209,
		"shutdown": 210,
		"sendmsg": 211,
		"recvmsg": 212,
		"readahead": 213,
		"brk": 214,
		"munmap": 215,
		"mremap": 216,
		"add_key": 217,
		"request_key": 218,
		"keyctl": 219,
		"clone": 220,
		"execve": 221,
		"mmap": 222,
		"fadvise64": 223,
		"swapon": 224,
		"swapoff": 225,
		"mprotect": 226,
		"msync": 227,
		"mlock": 228,
		"munlock": 229,
		"mlockall": 230,
		"munlockall": 231,
		"mincore": 232,
		"madvise": 233,
		"remap_file_pages": 234,
		"mbind": 235,
		"get_mempolicy": 236,
		"set_mempolicy": 237,
		"migrate_pages": 238,
		"move_pages": 239,
		"rt_tgsigqueueinfo": 240,
		"perf_event_open": 241,
		"accept4": 242,
		"recvmmsg": 243,
		"wait4": 260,
		"prlimit64": 261,
		"fanotify_init": 262,
		"fanotify_mark": 263,
		"name_to_handle_at": 264,
		"open_by_handle_at": 265,
		"clock_adjtime": 266,
		"syncfs": 267,
		"setns": 268,
		"sendmmsg": 269,
		"process_vm_readv": 270,
		"process_vm_writev": 271,
		"kcmp": 272,
		"finit_module": 273,
		"sched_setattr": 274,
		"sched_getattr": 275,
		"renameat2": 276,
		"seccomp": 277,
		"getrandom": 278,
		"memfd_create": 279,
		"bpf": 280,
		"execveat": 281,
		"userfaultfd": 282,
		"membarrier": 283,
		"mlock2": 284,
		"copy_file_range": 285,
		"preadv2": 286,
		"pwritev2": 287,
		"pkey_mprotect": 288,
		"pkey_alloc": 289,
		"pkey_free": 290,
		"statx": 291,
		"io_pgetevents": 292,
		"rseq": 293,
		"kexec_file_load": 294,
		"pidfd_send_signal": 424,
		"io_uring_setup": 425,
		"io_uring_enter": 426,
		"io_uring_register": 427,
		"open_tree": 428,
		"move_mount": 429,
		"fsopen": 430,
		"fsconfig": 431,
		"fsmount": 432,
		"fspick": 433,
		"pidfd_open": 434,
		"clone3": 435,
		"close_range": 436,
		"openat2": 437,
		"pidfd_getfd": 438,
		"faccessat2": 439,
		"process_madvise": 440,
		"epoll_pwait2": 441,
		"mount_setattr": 442,
		"quotactl_fd": 443,
		"landlock_create_ruleset": 444,
		"landlock_add_rule": 445,
		"landlock_restrict_self": 446,
		"memfd_secret": 447,
		"process_mrelease": 448,
		"futex_waitv": 449,
		"set_mempolicy_home_node": 450
	}
};
// src/main/engine/runtime/seccomp.ts
/**
* docker's default seccomp profile (seccomp/default-profile.json, data the project owns) compiled
* to the classic-BPF program bwrap's `--seccomp FD` loads (an array of struct sock_filter). The
* same filter guards RUN, `run` and `exec`. Layout:
*   check the arch (another ABI: kill) · load the syscall number · [x86_64: x32 numbers fail]
*   · the conditional rules (argument checks) · the allowed numbers as sorted ranges · EPERM.
*/
/** The seccomp arch of this Node process, or undefined where the profile has no syscall table. */
function seccompArch(nodeArch = process.arch) {
	return nodeArch === "x64" ? "x86_64" : nodeArch === "arm64" ? "aarch64" : void 0;
}
/** Emits one comparison; falls through when it holds, jumps to `fail` when not. */
function emitCheck(p, c, fail) {
	const halves = c.bits === 32 ? [[
		argLow(c.index),
		low(c.value),
		low(c.mask ?? 4294967295)
	]] : [[
		argHigh(c.index),
		high(c.value),
		high(c.mask ?? 2 ** 64 - 1)
	], [
		argLow(c.index),
		low(c.value),
		low(c.mask ?? 4294967295)
	]];
	if (c.op === "ne") {
		const pass = p.label();
		halves.forEach(([off, v], i) => {
			p.ld(off);
			p.jump(JEQ_K, v, i === halves.length - 1 ? fail : 0, pass);
		});
		p.mark(pass);
		return;
	}
	for (const [off, v, mask] of halves) {
		p.ld(off);
		if (c.op === "maskedEq") p.and(mask);
		p.jump(JEQ_K, v, 0, fail);
	}
}
/** What the profile says for each syscall number on this arch with these capabilities. */
function decide(profile, arch, caps) {
	const table = syscalls_default[arch];
	const allowed = /* @__PURE__ */ new Set();
	for (const name of profile.allow) if (table[name] !== void 0) allowed.add(table[name]);
	const conditional = /* @__PURE__ */ new Map();
	for (const rule of profile.rules) {
		if (rule.arches && !rule.arches.includes(arch)) continue;
		if (rule.ifCaps && !rule.ifCaps.every((c) => caps.includes(c))) continue;
		if (rule.unlessCaps?.some((c) => caps.includes(c))) continue;
		const action = rule.errno !== void 0 ? RET_ERRNO | rule.errno : RET_ALLOW;
		for (const name of rule.names) {
			const nr = table[name];
			if (nr === void 0) continue;
			if (!rule.args?.length && action === RET_ALLOW) allowed.add(nr);
			else conditional.set(nr, [...conditional.get(nr) ?? [], {
				args: rule.args ?? [],
				action
			}]);
		}
	}
	for (const nr of allowed) conditional.delete(nr);
	return {
		allowed,
		conditional
	};
}
/** Sorted numbers as inclusive ranges. */
function ranges(numbers) {
	const out = [];
	for (const n of [...numbers].sort((a, b) => a - b)) {
		const last = out.at(-1);
		if (last && last[1] === n - 1) last[1] = n;
		else out.push([n, n]);
	}
	return out;
}
/**
* The BPF program for one arch and the capabilities the sandbox keeps (a rule may depend on
* them, as in docker). Syscalls of another ABI on the same kernel (i386, arm32, x32) are not in
* the tables: another arch kills the process, x32 numbers fail with EPERM.
*/
function compileSeccomp(profile, arch, caps) {
	const deny = RET_ERRNO | profile.defaultErrno;
	const { allowed, conditional } = decide(profile, arch, caps);
	const p = new Program();
	p.ld(OFF_ARCH);
	p.jump(JEQ_K, AUDIT_ARCH[arch], 1, 0);
	p.ret(RET_KILL_PROCESS);
	p.ld(OFF_NR);
	if (arch === "x86_64") {
		p.jump(JGE_K, X32_SYSCALL_BIT, 0, 1);
		p.ret(deny);
	}
	for (const [nr, alternatives] of [...conditional].sort((a, b) => a[0] - b[0])) {
		const next = p.label();
		p.jump(JEQ_K, nr, 0, next);
		for (const alt of alternatives) {
			const fail = p.label();
			for (const c of alt.args) emitCheck(p, c, fail);
			p.ret(alt.action);
			p.mark(fail);
		}
		p.ret(deny);
		p.mark(next);
	}
	for (const [a, b] of ranges(allowed)) {
		p.jump(JGT_K, b, 3, 0);
		p.jump(JGE_K, a, 0, 1);
		p.ret(RET_ALLOW);
		p.ret(deny);
	}
	p.ret(deny);
	return p.encode();
}
var DEFAULT_PROFILE, AUDIT_ARCH, X32_SYSCALL_BIT, LD_W_ABS, ALU_AND_K, JEQ_K, JGT_K, JGE_K, RET_K, RET_KILL_PROCESS, RET_ERRNO, RET_ALLOW, OFF_NR, OFF_ARCH, argLow, argHigh, BPF_MAXINSNS, Program, high, low;
var init_seccomp = __esmMin((() => {
	DEFAULT_PROFILE = default_profile_default;
	AUDIT_ARCH = {
		x86_64: 3221225534,
		aarch64: 3221225655
	};
	X32_SYSCALL_BIT = 1073741824;
	LD_W_ABS = 32;
	ALU_AND_K = 84;
	JEQ_K = 21;
	JGT_K = 37;
	JGE_K = 53;
	RET_K = 6;
	RET_KILL_PROCESS = 2147483648;
	RET_ERRNO = 327680;
	RET_ALLOW = 2147418112;
	OFF_NR = 0;
	OFF_ARCH = 4;
	argLow = (i) => 16 + 8 * i;
	argHigh = (i) => 16 + 8 * i + 4;
	BPF_MAXINSNS = 4096;
	Program = class {
		insns = [];
		labels = /* @__PURE__ */ new Map();
		next = 0;
		label() {
			return `L${this.next++}`;
		}
		mark(label) {
			this.labels.set(label, this.insns.length);
		}
		ld(offset) {
			this.insns.push({
				code: LD_W_ABS,
				jt: 0,
				jf: 0,
				k: offset
			});
		}
		and(k) {
			this.insns.push({
				code: ALU_AND_K,
				jt: 0,
				jf: 0,
				k: k >>> 0
			});
		}
		jump(code, k, jt, jf) {
			this.insns.push({
				code,
				jt,
				jf,
				k: k >>> 0
			});
		}
		ret(k) {
			this.insns.push({
				code: RET_K,
				jt: 0,
				jf: 0,
				k: k >>> 0
			});
		}
		/** struct sock_filter[] { u16 code; u8 jt; u8 jf; u32 k }, in the host's (little-endian) order. */
		encode() {
			if (this.insns.length > BPF_MAXINSNS) throw new Error(`seccomp program too long: ${this.insns.length} instructions`);
			const buf = Buffer.alloc(this.insns.length * 8);
			this.insns.forEach((insn, i) => {
				buf.writeUInt16LE(insn.code, i * 8);
				buf.writeUInt8(this.offset(insn.jt, i), i * 8 + 2);
				buf.writeUInt8(this.offset(insn.jf, i), i * 8 + 3);
				buf.writeUInt32LE(insn.k, i * 8 + 4);
			});
			return buf;
		}
		offset(t, at) {
			const skip = typeof t === "number" ? t : this.labels.get(t) - at - 1;
			if (!(skip >= 0 && skip <= 255)) throw new Error(`seccomp jump out of range (${skip})`);
			return skip;
		}
	};
	high = (v) => Math.floor(v / 2 ** 32) >>> 0;
	low = (v) => v >>> 0;
}));
// src/main/engine/runtime/sandbox.ts
function which(name) {
	for (const dir of (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin").split(delimiter).concat([
		"/usr/bin",
		"/usr/sbin",
		"/bin",
		"/sbin"
	])) {
		const p = join(dir, name);
		try {
			accessSync(p, constants.X_OK);
			return p;
		} catch {}
	}
}
/**
* Why containers and RUN cannot run here, or undefined when they can. Linux only; needs
* bubblewrap and util-linux's unshare, and (unless root) unprivileged user namespaces.
*/
function sandboxUnavailable() {
	if (cachedReason !== null) return cachedReason;
	cachedReason = probe$1();
	return cachedReason;
}
function probe$1() {
	if (process.platform !== "linux") return `containers need Linux namespaces and overlayfs; this is ${process.platform}`;
	const unshare = which("unshare");
	const bwrap = which("bwrap");
	const sh = existsSync("/bin/sh") ? "/bin/sh" : which("sh");
	if (!unshare) return "util-linux unshare is not installed";
	if (!bwrap) return "bubblewrap (bwrap) is not installed";
	if (!sh) return "no /bin/sh on the host";
	const setpriv = which("setpriv");
	cachedTools = {
		unshare,
		bwrap,
		sh,
		...setpriv ? { setpriv } : {}
	};
	const res = spawnSync(unshare, [...namespaceArgs(), "true"], { encoding: "utf8" });
	if (res.status !== 0) return `cannot create a mount namespace${isRoot() ? "" : " in a user namespace"}: ${(res.stderr || res.error?.message || "").trim()}`;
}
function tools() {
	const reason = sandboxUnavailable();
	if (reason) throw new StrataError("unsupported", reason);
	return cachedTools;
}
/** Finds the program like execvp would, with docker's errors for a missing or non-executable one. */
function resolveCommand(view, argv0, env) {
	if (argv0.includes("/")) {
		const st = view.stat(view.resolve(argv0));
		if (!st) throw new ExecError(`exec: "${argv0}": stat ${argv0}: no such file or directory`, 127);
		if (st.type === "dir" || (st.mode & 73) === 0) throw new ExecError(`exec: "${argv0}": permission denied`, 126);
		return argv0;
	}
	const path = env.find((e) => e.startsWith("PATH="))?.slice(5) ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const dir of path.split(":")) {
		const candidate = `${dir || "."}/${argv0}`;
		const st = view.stat(view.resolve(candidate));
		if (st && st.type !== "dir" && (st.mode & 73) !== 0) return candidate;
	}
	throw new ExecError(`exec: "${argv0}": executable file not found in $PATH`, 127);
}
function resolvConf() {
	for (const f of ["/run/systemd/resolve/resolv.conf", "/etc/resolv.conf"]) try {
		const text = readFileSync(f, "utf8");
		if (f === "/etc/resolv.conf" || !/nameserver 127\./.test(text)) return text;
	} catch {}
	return "";
}
/**
* Per-run scratch: `init/` is the lowest-but-top read-only layer holding mount points (like
* docker's init layer, so they never show in `diff`), `root/` is where the overlay is mounted,
* and the files bound over /etc/hosts, /etc/hostname, /etc/resolv.conf.
*/
function prepareScratch(lowerDirs, hostname, network, prefix = "strata-run-") {
	const scratch = mkdtempSync(join(tmpdir(), prefix));
	const init = join(scratch, "init");
	for (const d of [
		"proc",
		"dev",
		"sys",
		"etc"
	]) {
		const p = join(init, d);
		mkdirSync(p, { recursive: true });
		const below = lowerEntry(lowerDirs, d);
		if (below?.stat.isDirectory()) {
			if (isRoot()) lchownSync(p, below.stat.uid, below.stat.gid);
			chmodSync(p, below.stat.mode & 4095);
			utimesSync(p, below.stat.atime, below.stat.mtime);
		}
	}
	for (const f of [
		"hosts",
		"hostname",
		"resolv.conf"
	]) writeFileSync(join(init, "etc", f), "");
	mkdirSync(join(scratch, "root"));
	const hosts = `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`;
	writeFileSync(join(scratch, "hosts"), hosts);
	writeFileSync(join(scratch, "hostname"), `${hostname}\n`);
	writeFileSync(join(scratch, "resolv.conf"), network === "none" ? "" : resolvConf());
	writeFileSync(join(scratch, "empty"), "", { mode: 292 });
	const etcBelow = lowerEntry(lowerDirs, "etc");
	if (etcBelow?.stat.isDirectory()) utimesSync(join(init, "etc"), etcBelow.stat.atime, etcBelow.stat.mtime);
	return scratch;
}
/**
* Why overlayfs cannot be mounted here (then the copy fallback is used), or undefined. Set
* STRATA_ROOTFS=copy to force the fallback.
*/
function overlayUnavailable() {
	if (process.env.STRATA_ROOTFS === "copy") return "STRATA_ROOTFS=copy";
	if (overlayReason !== null) return overlayReason;
	const t = tools();
	const dir = mkdtempSync(join(tmpdir(), "strata-ovl-"));
	try {
		for (const d of [
			"l",
			"u",
			"w",
			"m"
		]) mkdirSync(join(dir, d));
		const o = overlayOptions([join(dir, "l")], join(dir, "u"), join(dir, "w"));
		const res = spawnSync(t.unshare, [
			...namespaceArgs(),
			t.sh,
			"-c",
			"mount -t overlay overlay -o \"$1\" \"$2\"",
			"sh",
			o.options,
			join(dir, "m")
		], { encoding: "utf8" });
		overlayReason = res.status === 0 ? void 0 : `overlayfs: ${(res.stderr || "").trim()}`;
	} finally {
		removeTree(dir);
	}
	return overlayReason;
}
/**
* The command and its environment travel as arguments (to bwrap) and then as the process's
* environment: a string or a total the kernel refuses (E2BIG) is a clean start error, found
* before anything is set up, rather than a spawn failure that leaves a half-started container.
*/
function checkArgumentSize(proc) {
	const strings = [...proc.args, ...proc.env];
	if (strings.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0) > MAX_ARGS_TOTAL || strings.some((a) => Buffer.byteLength(a) + 1 > MAX_ARG_STRLEN)) throw new ExecError(`exec: "${proc.args[0]}": argument list too long`, 126);
}
/** docker's default seccomp filter for this arch and DEFAULT_CAPS; empty where there is no syscall table. */
function seccompProgram() {
	const arch = seccompArch();
	if (!arch) return Buffer.alloc(0);
	compiledSeccomp ??= compileSeccomp(DEFAULT_PROFILE, arch, DEFAULT_CAPS);
	return compiledSeccomp;
}
/**
* bwrap's arguments for one sandboxed process, the same for RUN, `run` and `exec`: the rootfs,
* /proc and /sys with docker's masks, a minimal /dev, the per-run /etc files, docker's default
* capabilities, the container's user, docker's seccomp filter (read from fd 9) and bwrap's
* no_new_privs, which it always sets.
*/
function confinedArgs(c) {
	const envArgs = [];
	for (const e of c.env) {
		const eq = e.indexOf("=");
		if (eq > 0) envArgs.push("--setenv", e.slice(0, eq), e.slice(eq + 1));
	}
	const ns = c.namespaces;
	return [
		"--bind",
		join(c.scratch, "root"),
		"/",
		...procAndSysArgs(join(c.scratch, "empty")),
		"--dev",
		"/dev",
		"--bind",
		join(c.scratch, "hosts"),
		"/etc/hosts",
		"--bind",
		join(c.scratch, "hostname"),
		"/etc/hostname",
		"--bind",
		join(c.scratch, "resolv.conf"),
		"/etc/resolv.conf",
		...c.pid ?? [],
		...ns ? [
			"--unshare-pid",
			"--as-pid-1",
			"--unshare-uts",
			"--unshare-ipc",
			...ns.network === "host" ? [] : ["--unshare-net"],
			"--hostname",
			ns.hostname
		] : [],
		"--die-with-parent",
		"--chdir",
		c.cwd,
		"--clearenv",
		...envArgs,
		"--cap-drop",
		"ALL",
		...c.user.uid === 0 ? DEFAULT_CAPS.flatMap((cap) => ["--cap-add", cap]) : [],
		...c.user.uid !== 0 || c.user.gid !== 0 ? [
			"--unshare-user",
			"--uid",
			String(c.user.uid),
			"--gid",
			String(c.user.gid)
		] : [],
		...seccompProgram().length > 0 ? ["--seccomp", "9"] : [],
		"--",
		...c.args
	];
}
/**
* `exec`: a process that joins a running container. It enters the container's pid, uts, ipc and
* network namespaces (from its main process) and the mount namespace in which the sandbox mounted
* the rootfs (the sandbox's outer process, where the host's tools are still visible), then runs
* under bwrap with the same confinement as the container's first process: masks, capabilities,
* seccomp, no_new_privs. nsenter alone would keep all of root's capabilities and no filter.
*/
function prepareExec(spec) {
	const t = tools();
	checkArgumentSize(spec.process);
	const scratch = readScratchRecord(spec.upperDir);
	const nsenter = which("nsenter");
	if (!nsenter) throw new Error("util-linux nsenter is not installed");
	const asUser = userArgs(t, spec.user);
	if (asUser.length > 0) chmodSync(scratch, 457);
	const joinPid = spec.user.uid === 0 && spec.user.gid === 0;
	const pid = joinPid ? ["--pidns", "8"] : ["--unshare-pid"];
	const bwrapArgs = confinedArgs({
		scratch,
		cwd: spec.process.cwd || "/",
		env: spec.process.env,
		user: spec.user,
		args: spec.process.args,
		pid
	});
	const userns = isRoot() ? [] : [`--user=/proc/${spec.sandboxPid}/ns/user`, "--preserve-credentials"];
	return {
		file: nsenter,
		args: [
			"--target",
			String(spec.mainPid),
			...userns,
			`--mount=/proc/${spec.sandboxPid}/ns/mnt`,
			"--uts",
			"--ipc",
			"--net",
			...joinPid ? [] : ["--pid"],
			"--",
			t.sh,
			"-c",
			"f=$1; p=$2; shift 2; exec \"$@\" 9<\"$f\" 8<\"$p\"",
			"sh",
			join(scratch, "seccomp.bpf"),
			`/proc/${spec.mainPid}/ns/pid`,
			...asUser,
			t.bwrap,
			...bwrapArgs
		],
		env: {
			PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
			LANG: "C"
		}
	};
}
/** The scratch directory a running sandbox recorded; only ever one of ours under the temp dir. */
function readScratchRecord(upperDir) {
	let scratch = "";
	try {
		scratch = readFileSync(scratchRecord(upperDir), "utf8").trim();
	} catch {}
	if (!/^\/[^\0]*\/strata-run-[A-Za-z0-9]+$/.test(scratch) || scratch.includes("/../")) throw new Error("the container is not running");
	return scratch;
}
/**
* Builds the command line that runs a process in the sandbox:
*   unshare [--map-root-user] --mount   (a private mount namespace, a user namespace when rootless)
*     sh -c 'mount -t overlay …'         (the rootfs: init layer + image layers + writable layer)
*       bwrap --bind root / --proc --dev  (pivot_root, fresh /proc with docker's masks, minimal
*                                          /dev, pid/uts/ipc/net namespaces, env, cwd, uid,
*                                          capabilities, seccomp from fd 9) -- ARGS
* Creates the working directory in the writable layer first, like docker does. Without
* overlayfs the process runs on a copy of the merged rootfs whose changes are written back to the
* upper dir afterwards (copy-rootfs.ts).
*/
function prepareSandbox(spec) {
	const t = tools();
	const proc = spec.process;
	const view = new RootfsView(spec.lowerDirs, spec.upperDir);
	if (proc.args.length === 0) throw new ExecError("no command specified", 125);
	const user = resolveUser(view, proc.user);
	const cwd = proc.cwd || "/";
	const cwdEntry = view.stat(view.resolve(cwd));
	if (!cwdEntry) view.mkdir(cwd);
	else if (cwdEntry.type !== "dir") throw new ExecError(`chdir to cwd ("${cwd}") set in config.json failed: not a directory`, 126);
	resolveCommand(view, proc.args[0], proc.env);
	checkArgumentSize(proc);
	const hostname = proc.hostname ?? randomBytes(6).toString("hex");
	const network = spec.network ?? "none";
	const scratch = prepareScratch(spec.lowerDirs, hostname, network, spec.scratchPrefix);
	let root, args, copy;
	try {
		root = join(scratch, "root");
		const overlay = overlayOptions([join(scratch, "init"), ...[...spec.lowerDirs].reverse()], spec.upperDir, spec.workDir);
		writeFileSync(join(scratch, "seccomp.bpf"), seccompProgram());
		const bwrapArgs = confinedArgs({
			scratch,
			cwd,
			env: proc.env,
			user,
			args: proc.args,
			namespaces: {
				network,
				hostname
			}
		});
		const asUser = userArgs(t, user);
		if (asUser.length > 0) chmodSync(scratch, 457);
		copy = overlayUnavailable() !== void 0;
		if (copy) materialize(spec.lowerDirs, spec.upperDir, root);
		if (copy && asUser.length > 0) addMountPoints(root);
		const script = `${copy ? "" : "set -e; cd \"$1\"; mount -t overlay overlay -o \"$2\" \"$3\"; "}f=$4; shift 4; exec "$@" 9<"$f"`;
		args = [
			...namespaceArgs(),
			t.sh,
			"-c",
			script,
			"sh",
			overlay.cwd,
			overlay.options,
			root,
			join(scratch, "seccomp.bpf"),
			...asUser,
			t.bwrap,
			...bwrapArgs
		];
		writeFileSync(scratchRecord(spec.upperDir), scratch);
	} catch (err) {
		removeTree(scratch);
		throw err;
	}
	return {
		file: t.unshare,
		args,
		env: {
			PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
			LANG: "C"
		},
		user,
		afterExit: async () => {
			try {
				if (copy) syncBack(spec.lowerDirs, spec.upperDir, root, MOUNT_POINTS);
				else await detectOpaqueDirs(spec.lowerDirs, spec.upperDir).catch(() => {});
			} finally {
				rmSync(scratchRecord(spec.upperDir), { force: true });
				removeTree(scratch);
			}
		}
	};
}
/**
* bwrap creates missing mount points only while it has privileges; a non-root user's bwrap on a
* copied rootfs needs them up front (syncBack leaves MOUNT_POINTS out of the changes). Never
* written through a symlink: it would point into the host.
*/
function addMountPoints(root) {
	const missing = (p) => {
		try {
			lstatSync(p);
			return false;
		} catch {
			return true;
		}
	};
	for (const d of [
		"proc",
		"dev",
		"sys",
		"etc"
	]) if (missing(join(root, d))) mkdirSync(join(root, d));
	if (!lstatSync(join(root, "etc")).isDirectory()) return;
	for (const f of [
		"hosts",
		"hostname",
		"resolv.conf"
	]) if (missing(join(root, "etc", f))) writeFileSync(join(root, "etc", f), "");
}
/**
* As root, a non-root container user becomes that user on the host before bwrap starts: bwrap's
* own user namespace then maps the user to itself, so the files it writes are owned by its real
* uid/gid in the upper dir (like docker) and it cannot write what the image's root owns. bwrap
* cannot switch IDs itself without a user namespace (its --userns path calls setuid before
* setgid). Rootless, there is only one ID to map: the user namespace's root writes everything.
*/
function userArgs(t, user) {
	if (!isRoot() || !t.setpriv || user.uid === 0 && user.gid === 0) return [];
	return [
		t.setpriv,
		"--reuid",
		String(user.uid),
		"--regid",
		String(user.gid),
		"--clear-groups"
	];
}
function signalResult(signal) {
	const entries = Object.entries(constants$1.signals);
	const num = typeof signal === "number" ? signal : constants$1.signals[signal] ?? 9;
	return {
		exitCode: 128 + num,
		signal: entries.find(([, n]) => n === num)?.[0] ?? String(signal)
	};
}
/** Starts a process in the sandbox (with a pseudo-terminal when `process.tty`). */
async function startProcess(spec) {
	const prepared = prepareSandbox(spec);
	const finish = async (r) => {
		await prepared.afterExit();
		return r;
	};
	try {
		return await launch(prepared, {
			tty: spec.process.tty ?? false,
			...spec.size ? { size: spec.size } : {}
		}, finish);
	} catch (err) {
		await prepared.afterExit();
		throw err;
	}
}
/** Spawns a prepared command line: through a pseudo-terminal, or with pipes in its own process group. */
function launch(prepared, options, finish = async (r) => r) {
	if (options.tty) return startPty(options.size, prepared, finish);
	return startPiped(prepared, finish);
}
function startPiped(prepared, finish) {
	const child = spawn(prepared.file, prepared.args, {
		env: prepared.env,
		stdio: [
			"pipe",
			"pipe",
			"pipe"
		],
		detached: true
	});
	const listeners = [];
	const buffered = [];
	const emit = (d, s) => {
		if (listeners.length === 0) buffered.push([d, s]);
		for (const l of listeners) l(d, s);
	};
	child.stdout.on("data", (d) => emit(d, "stdout"));
	child.stderr.on("data", (d) => emit(d, "stderr"));
	child.stdin.on("error", () => {});
	const closed = new Promise((resolve, reject) => {
		child.on("error", reject);
		child.on("close", (code, signal) => {
			resolve(signal ? signalResult(signal) : { exitCode: code ?? 0 });
		});
	});
	return {
		pid: child.pid,
		write: (d) => void child.stdin.write(d),
		end: () => child.stdin.end(),
		resize: () => {},
		onData: (fn) => {
			listeners.push(fn);
			for (const [d, s] of buffered.splice(0)) fn(d, s);
		},
		exited: closed.then(finish, async (err) => {
			await finish({ exitCode: 125 });
			throw err;
		}),
		kill: (signal = "SIGKILL") => killGroup(child.pid, signal)
	};
}
function killGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
	} catch {
		try {
			process.kill(pid, signal);
		} catch {}
	}
}
async function startPty(size, prepared, finish) {
	const term = (await import("node-pty")).spawn(prepared.file, prepared.args, {
		name: "xterm",
		cols: size?.cols ?? 80,
		rows: size?.rows ?? 24,
		env: prepared.env
	});
	const listeners = [];
	const buffered = [];
	term.onData((d) => {
		const b = Buffer.from(d, "utf8");
		if (listeners.length === 0) buffered.push(b);
		for (const l of listeners) l(b, "stdout");
	});
	const exited = new Promise((resolve) => {
		term.onExit(({ exitCode, signal }) => resolve(signal ? signalResult(signal) : { exitCode }));
	});
	return {
		pid: term.pid,
		write: (d) => term.write(typeof d === "string" ? d : d.toString("utf8")),
		end: () => term.write(""),
		resize: (cols, rows) => term.resize(cols, rows),
		onData: (fn) => {
			listeners.push(fn);
			for (const d of buffered.splice(0)) fn(d, "stdout");
		},
		exited: exited.then(finish),
		kill: (signal = "SIGKILL") => killGroup(term.pid, signal)
	};
}
/**
* Runs a process in the sandbox to completion: the builder's RUN and `strata run` both come here.
* Errors found before anything runs (command not found, not executable) are written to stderr
* with docker's wording and exit 127/126. Aborting kills the whole process tree (the pid
* namespace dies with its init); the writable layer stays usable.
*/
async function runProcess(spec) {
	if (spec.signal?.aborted) return {
		exitCode: 137,
		signal: "SIGKILL"
	};
	let proc;
	try {
		proc = await startProcess(spec);
	} catch (err) {
		if (err instanceof ExecError) {
			spec.stderr?.write(`${err.message}\n`);
			return { exitCode: err.exitCode };
		}
		throw err;
	}
	proc.onData((d, s) => (s === "stderr" ? spec.stderr : spec.stdout)?.write(d));
	if (spec.stdin) {
		spec.stdin.on("data", (d) => proc.write(d));
		spec.stdin.on("end", () => proc.end());
	} else if (!spec.process.tty) proc.end();
	const onAbort = () => proc.kill("SIGKILL");
	spec.signal?.addEventListener("abort", onAbort, { once: true });
	try {
		return await proc.exited;
	} finally {
		spec.signal?.removeEventListener("abort", onAbort);
	}
}
var cachedTools, cachedReason, MOUNT_POINTS, overlayReason, MAX_ARG_STRLEN, MAX_ARGS_TOTAL, scratchRecord, compiledSeccomp;
var init_sandbox = __esmMin((() => {
	init_rootfs();
	init_whiteout();
	init_opaque();
	init_exec_error();
	init_mounts();
	init_user();
	init_copy_rootfs();
	init_errors$2();
	init_policy();
	init_seccomp();
	cachedReason = null;
	MOUNT_POINTS = /* @__PURE__ */ new Set([
		"proc",
		"dev",
		"sys",
		"etc",
		"etc/hosts",
		"etc/hostname",
		"etc/resolv.conf"
	]);
	overlayReason = null;
	MAX_ARG_STRLEN = 131072;
	MAX_ARGS_TOTAL = 1048576;
	scratchRecord = (upperDir) => `${upperDir}.run`;
}));
// src/main/engine/usage/directory-size.ts
/**
* moby's pkg/directory `Size`, the rule docker applies to a container's writable layer (overlay2
* `DiffSize` of the upper directory): the sizes of regular files and symlinks, each inode once,
* directories and zero-sized entries (whiteouts are 0/0 devices) not counted. Never through a
* link: a running container may swap a directory for one meanwhile; a tree removed meanwhile is 0.
*/
function directorySize(root) {
	const seen = /* @__PURE__ */ new Set();
	let total = 0;
	try {
		walkTree(root, (_rel, st) => {
			if (st.isDirectory()) return true;
			if (st.size === 0) return false;
			const inode = `${st.dev}:${st.ino}`;
			if (!seen.has(inode)) {
				seen.add(inode);
				total += st.size;
			}
			return false;
		});
	} catch {}
	return total;
}
var init_directory_size = __esmMin((() => {
	init_safe_path();
}));
// src/main/engine/container/migrations.ts
var CONTAINER_MIGRATIONS;
var init_migrations = __esmMin((() => {
	CONTAINER_MIGRATIONS = [`
  CREATE TABLE containers (
    id           TEXT PRIMARY KEY,            -- 64 hex digits
    name         TEXT NOT NULL UNIQUE,        -- without the leading '/'
    image_id     TEXT NOT NULL,               -- the image's config digest
    image        TEXT NOT NULL,               -- the image as the user named it
    config       TEXT NOT NULL,               -- JSON ContainerSettings
    created      INTEGER NOT NULL,            -- unix ms
    state        TEXT NOT NULL DEFAULT 'created' CHECK (state IN ('created', 'running', 'exited')),
    exit_code    INTEGER NOT NULL DEFAULT 0,
    started_at   INTEGER NOT NULL DEFAULT 0,
    finished_at  INTEGER NOT NULL DEFAULT 0,
    monitor_pid  INTEGER NOT NULL DEFAULT 0,  -- the process that runs it (CLI or detached monitor)
    monitor_start TEXT NOT NULL DEFAULT '',   -- its start time in /proc, against pid reuse
    sandbox_pid  INTEGER NOT NULL DEFAULT 0   -- the sandbox's process group
  ) STRICT;
  CREATE INDEX containers_image ON containers(image_id);
  `];
}));
// src/main/engine/container/config.ts
function envKey(e) {
	const eq = e.indexOf("=");
	return eq === -1 ? e : e.slice(0, eq);
}
/** `KEY=VAL` stays; a bare `KEY` takes the value from the caller's environment, or is dropped. */
function resolveEnvArg(e, hostEnv) {
	if (e.includes("=")) {
		if (e.startsWith("=")) throw new StrataError("invalid", `invalid environment variable: ${e}`);
		return e;
	}
	const v = hostEnv[e];
	return v === void 0 ? void 0 : `${e}=${v}`;
}
/** docker's --env-file: one variable per line, `#` comments and blank lines skipped. */
function parseEnvFile(text, hostEnv) {
	const out = [];
	for (const raw of text.split(/\r?\n/)) {
		const line = raw.replace(/^\s+/, "");
		if (line === "" || line.startsWith("#")) continue;
		if (/\s/.test(envKey(line))) throw new StrataError("invalid", `variable '${envKey(line)}' contains whitespaces`);
		const v = resolveEnvArg(line, hostEnv);
		if (v !== void 0) out.push(v);
	}
	return out;
}
/** ReplaceOrAppendEnvValues: later values replace earlier ones in place, new keys are appended. */
function replaceOrAppendEnv(base, overrides) {
	const out = [...base];
	for (const o of overrides) {
		const i = out.findIndex((e) => envKey(e) === envKey(o));
		if (i === -1) out.push(o);
		else out[i] = o;
	}
	return out;
}
/**
* The container's config from the image's and the user's, as moby's daemon `merge` does: the
* user's Env first, then each image variable the user did not set; an image CMD is inherited only
* when the user gave neither a command nor an entrypoint.
*/
function containerSettings(image, opts, userEnv, hostname) {
	const base = structuredClone(image);
	let env;
	if (userEnv.length === 0) env = [...base.Env ?? []];
	else {
		env = [...userEnv];
		for (const e of base.Env ?? []) if (!userEnv.some((u) => envKey(u) === envKey(e))) env.push(e);
	}
	const userEntrypoint = opts.entrypoint === void 0 ? void 0 : opts.entrypoint === "" ? [] : [opts.entrypoint];
	let cmd = opts.cmd && opts.cmd.length > 0 ? opts.cmd : null;
	let entrypoint = userEntrypoint ?? null;
	if (!userEntrypoint) {
		if (!cmd) cmd = base.Cmd ?? null;
		entrypoint = base.Entrypoint ?? null;
	}
	const labels = { ...base.Labels ?? {} };
	for (const l of opts.labels ?? []) {
		const eq = l.indexOf("=");
		labels[eq === -1 ? l : l.slice(0, eq)] = eq === -1 ? "" : l.slice(eq + 1);
	}
	return {
		...base,
		Hostname: hostname,
		Image: opts.image,
		Env: env,
		Cmd: cmd,
		Entrypoint: entrypoint && entrypoint.length > 0 ? entrypoint : null,
		WorkingDir: opts.workdir ? posix.resolve("/", base.WorkingDir || "/", opts.workdir) : base.WorkingDir ?? "",
		User: opts.user ?? base.User ?? "",
		Labels: labels,
		Tty: opts.tty ?? false,
		OpenStdin: opts.openStdin ?? false,
		AutoRemove: opts.autoRemove ?? false,
		Network: opts.network ?? "bridge"
	};
}
/** The argv a container runs: entrypoint then command. */
function containerArgs(s) {
	return [...s.Entrypoint ?? [], ...s.Cmd ?? []];
}
/**
* The environment the process sees (moby CreateDaemonEnvironment): PATH, HOSTNAME, TERM for a
* terminal, then the container's Env over them; HOME from /etc/passwd when unset.
*/
function processEnv(s, home) {
	const env = replaceOrAppendEnv([
		`PATH=${DEFAULT_PATH$1}`,
		`HOSTNAME=${s.Hostname}`,
		...s.Tty ? ["TERM=xterm"] : []
	], s.Env ?? []);
	if (!env.some((e) => envKey(e) === "HOME")) env.push(`HOME=${home}`);
	return env;
}
var DEFAULT_PATH$1;
var init_config = __esmMin((() => {
	init_errors$2();
	DEFAULT_PATH$1 = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}));
// src/main/engine/container/names.ts
/** docker's random container names: `adjective_surname` (a digit appended after a clash). */
function randomName(retry = 0) {
	const name = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
	if (name === "boring_wozniak") return randomName(retry);
	return retry > 0 ? `${name}${randomInt(10)}` : name;
}
var LEFT, RIGHT;
var init_names = __esmMin((() => {
	LEFT = [
		"admiring",
		"adoring",
		"affectionate",
		"agitated",
		"amazing",
		"angry",
		"awesome",
		"beautiful",
		"blissful",
		"bold",
		"boring",
		"brave",
		"busy",
		"charming",
		"clever",
		"compassionate",
		"competent",
		"condescending",
		"confident",
		"cool",
		"cranky",
		"crazy",
		"dazzling",
		"determined",
		"distracted",
		"dreamy",
		"eager",
		"ecstatic",
		"elastic",
		"elated",
		"elegant",
		"eloquent",
		"epic",
		"exciting",
		"fervent",
		"festive",
		"flamboyant",
		"focused",
		"friendly",
		"frosty",
		"funny",
		"gallant",
		"gifted",
		"goofy",
		"gracious",
		"great",
		"happy",
		"hardcore",
		"heuristic",
		"hopeful",
		"hungry",
		"infallible",
		"inspiring",
		"intelligent",
		"interesting",
		"jolly",
		"jovial",
		"keen",
		"kind",
		"laughing",
		"loving",
		"lucid",
		"magical",
		"modest",
		"musing",
		"mystifying",
		"naughty",
		"nervous",
		"nice",
		"nifty",
		"nostalgic",
		"objective",
		"optimistic",
		"peaceful",
		"pedantic",
		"pensive",
		"practical",
		"priceless",
		"quirky",
		"quizzical",
		"recursing",
		"relaxed",
		"reverent",
		"romantic",
		"sad",
		"serene",
		"sharp",
		"silly",
		"sleepy",
		"stoic",
		"strange",
		"stupefied",
		"suspicious",
		"sweet",
		"tender",
		"thirsty",
		"trusting",
		"unruffled",
		"upbeat",
		"vibrant",
		"vigilant",
		"vigorous",
		"wizardly",
		"wonderful",
		"xenodochial",
		"youthful",
		"zealous",
		"zen"
	];
	RIGHT = [
		"agnesi",
		"albattani",
		"allen",
		"archimedes",
		"ardinghelli",
		"babbage",
		"banach",
		"bardeen",
		"bartik",
		"bassi",
		"bell",
		"benz",
		"bhabha",
		"bohr",
		"booth",
		"borg",
		"bose",
		"brahmagupta",
		"brattain",
		"brown",
		"burnell",
		"cannon",
		"carson",
		"cerf",
		"chandrasekhar",
		"chaplygin",
		"chatelet",
		"clarke",
		"cohen",
		"colden",
		"cori",
		"curie",
		"darwin",
		"davinci",
		"dijkstra",
		"dirac",
		"driscoll",
		"dubinsky",
		"easley",
		"einstein",
		"elbakyan",
		"elgamal",
		"elion",
		"engelbart",
		"euclid",
		"euler",
		"faraday",
		"fermat",
		"fermi",
		"feynman",
		"franklin",
		"galileo",
		"gates",
		"goldberg",
		"goodall",
		"gould",
		"greider",
		"hamilton",
		"hawking",
		"heisenberg",
		"hertz",
		"hodgkin",
		"hofstadter",
		"hopper",
		"hypatia",
		"jackson",
		"jang",
		"jemison",
		"jennings",
		"johnson",
		"joliot",
		"kalam",
		"keldysh",
		"kepler",
		"khorana",
		"kilby",
		"knuth",
		"kowalevski",
		"lalande",
		"lamarr",
		"lamport",
		"leakey",
		"leavitt",
		"lewin",
		"liskov",
		"lovelace",
		"lumiere",
		"mahavira",
		"margulis",
		"matsumoto",
		"maxwell",
		"mayer",
		"mccarthy",
		"mcclintock",
		"meitner",
		"mendel",
		"merkle",
		"mirzakhani",
		"montalcini",
		"moore",
		"morse",
		"napier",
		"nash",
		"newton",
		"nightingale",
		"nobel",
		"noether",
		"noyce",
		"pascal",
		"pasteur",
		"payne",
		"perlman",
		"pike",
		"poincare",
		"ptolemy",
		"raman",
		"ramanujan",
		"ride",
		"ritchie",
		"rosalind",
		"saha",
		"sammet",
		"shamir",
		"shannon",
		"shaw",
		"shockley",
		"sinoussi",
		"snyder",
		"spence",
		"stonebraker",
		"swanson",
		"swartz",
		"tesla",
		"thompson",
		"torvalds",
		"turing",
		"varahamihira",
		"vaughan",
		"villani",
		"visvesvaraya",
		"volhard",
		"wescoff",
		"wiles",
		"williams",
		"wilson",
		"wing",
		"wozniak",
		"wright",
		"wu",
		"yalow",
		"yonath",
		"zhukovsky"
	];
}));
// src/main/engine/container/exec.ts
/**
* `exec`: a new process joins a running container (its namespaces and its mounted rootfs) under
* the same confinement as the container's first process (runtime/sandbox.ts prepareExec); the
* command is found on the container's PATH first, with docker's errors.
*/
async function execInContainer(spec) {
	if (spec.args.length === 0) throw new StrataError("invalid", "exec: no command specified");
	resolveCommand(spec.view, spec.args[0], spec.env);
	return launch(prepareExec({
		sandboxPid: spec.sandboxPid,
		mainPid: spec.initPid,
		upperDir: spec.upperDir,
		user: spec.user,
		process: {
			args: spec.args,
			env: spec.env,
			cwd: spec.cwd
		}
	}), {
		tty: spec.tty,
		...spec.size ? { size: spec.size } : {}
	});
}
var init_exec = __esmMin((() => {
	init_sandbox();
	init_errors$2();
}));
// src/shared/units.ts
/** go-units HumanSizeWithPrecision: `images` uses precision 3, `system df` (HumanSize) uses 4. */
function humanSize(bytes, precision = 3) {
	let size = bytes;
	let i = 0;
	while (size >= 1e3 && i < DECIMAL_UNITS.length - 1) {
		size /= 1e3;
		i++;
	}
	return `${formatG(size, precision)}${DECIMAL_UNITS[i]}`;
}
/** go-units HumanSize (4 significant digits), what `system df` and prune print. */
function humanSize4(bytes) {
	return humanSize(bytes, 4);
}
/** Go's `%.*g`: shortest of %e/%f with `precision` significant digits, trailing zeros dropped. */
function formatG(value, precision) {
	if (value === 0) return "0";
	if (!Number.isFinite(value)) return String(value);
	const exp = Number(value.toExponential(precision - 1).split("e")[1]);
	if (exp < -4 || exp >= precision) {
		const [mant, e] = value.toExponential(precision - 1).split("e");
		const m = mant.includes(".") ? mant.replace(/\.?0+$/, "") : mant;
		const n = Number(e);
		return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
	}
	const s = value.toFixed(Math.max(0, precision - 1 - exp));
	return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
/** go-units HumanDuration for a duration in milliseconds. */
function humanDuration(ms) {
	const seconds = Math.trunc(ms / 1e3);
	if (seconds < 1) return "Less than a second";
	if (seconds === 1) return "1 second";
	if (seconds < 60) return `${seconds} seconds`;
	const minutes = Math.trunc(ms / 6e4);
	if (minutes === 1) return "About a minute";
	if (minutes < 60) return `${minutes} minutes`;
	const hours = Math.trunc(ms / 36e5 + .5);
	if (hours === 1) return "About an hour";
	if (hours < 48) return `${hours} hours`;
	if (hours < 336) return `${Math.trunc(hours / 24)} days`;
	if (hours < 1440) return `${Math.trunc(hours / 24 / 7)} weeks`;
	if (hours < 17520) return `${Math.trunc(hours / 24 / 30)} months`;
	return `${Math.trunc(Math.trunc(ms / 36e5) / 24 / 365)} years`;
}
var DECIMAL_UNITS;
var init_units$1 = __esmMin((() => {
	DECIMAL_UNITS = [
		"B",
		"kB",
		"MB",
		"GB",
		"TB",
		"PB",
		"EB",
		"ZB",
		"YB"
	];
}));
// src/main/engine/container/container-service.ts
function withOnExit(p) {
	return {
		...p,
		onExit: (fn) => void p.exited.then(fn, () => fn({ exitCode: 125 }))
	};
}
/** /proc start time of a process, to tell a live monitor from a reused pid. */
function processStart(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
	} catch {
		return;
	}
}
/**
* How to start the detached monitor: its source under Node 24 (the CLI runs the sources), or the
* script electron-vite bundles beside the main process (`out/main/monitor.js`) in the desktop
* app, where `execPath` is Electron itself and ELECTRON_RUN_AS_NODE makes it a plain Node.
*/
function monitorCommand(root, id) {
	const source = fileURLToPath(new URL("./monitor.ts", import.meta.url));
	const script = existsSync(source) ? source : fileURLToPath(new URL("./monitor.js", import.meta.url));
	const env = process.versions.electron ? {
		...process.env,
		ELECTRON_RUN_AS_NODE: "1"
	} : process.env;
	return {
		command: process.execPath,
		args: [
			script,
			root,
			id
		],
		env
	};
}
/** docker's STATUS column: "Created", "Up 3 weeks", "Exited (0) 3 seconds ago" (go-units HumanDuration). */
function statusText(c, now) {
	if (c.state === "running") return `Up ${humanDuration(now - c.startedAt)}`;
	if (c.state === "exited") return `Exited (${c.exitCode}) ${humanDuration(now - c.finishedAt)} ago`;
	return "Created";
}
var NoSuchContainerError, ContainerService;
var init_container_service = __esmMin((() => {
	init_db();
	init_snapshotter();
	init_changes();
	init_rootfs();
	init_sandbox();
	init_user();
	init_opaque();
	init_disk_usage();
	init_directory_size();
	init_migrations();
	init_config();
	init_names();
	init_exec();
	init_errors$2();
	init_units$1();
	NoSuchContainerError = class extends StrataError {
		constructor(ref) {
			super("not-found", `No such container: ${ref}`);
		}
	};
	ContainerService = class {
		engine;
		snapshots;
		live = /* @__PURE__ */ new Map();
		root;
		constructor(engine) {
			this.engine = engine;
			migrate(engine.db, "containers", CONTAINER_MIGRATIONS);
			this.root = engine.dir("containers");
			this.snapshots = new Snapshotter(engine);
			engine.images.addHolder((imageId) => this.usersOfImage(imageId));
			registerUsageProvider(engine, {
				containers: () => this.diskUsage(),
				imageContainers: () => {
					const m = /* @__PURE__ */ new Map();
					for (const r of engine.db.prepare("SELECT image_id, count(*) AS n FROM containers GROUP BY image_id").all()) m.set(r.image_id, r.n);
					return m;
				}
			});
		}
		dirOf(id) {
			return join(this.root, id);
		}
		upperDir(id) {
			return join(this.dirOf(id), "upper");
		}
		usersOfImage(imageId) {
			return this.engine.db.prepare("SELECT id FROM containers WHERE image_id = ?").all(imageId).map((r) => ({
				id: r.id,
				running: this.get(r.id).state === "running"
			}));
		}
		/** Finds a container by full ID, name (with or without '/') or unique ID prefix. */
		get(ref) {
			const rec = this.tryGet(ref);
			if (!rec) throw new NoSuchContainerError(ref);
			return rec;
		}
		tryGet(ref) {
			const db = this.engine.db;
			let row = db.prepare("SELECT * FROM containers WHERE id = ?").get(ref);
			row ??= db.prepare("SELECT * FROM containers WHERE name = ?").get(ref.replace(/^\//, ""));
			if (!row && /^[a-f0-9]+$/.test(ref)) {
				const rows = db.prepare("SELECT * FROM containers WHERE id >= ? AND id < ? LIMIT 2").all(ref, `${ref}g`);
				if (rows.length > 1) throw new StrataError("invalid", `multiple IDs found with provided prefix: ${ref}`);
				row = rows[0];
			}
			return row && this.refresh(row);
		}
		/** docker's container event: the container's labels, then `image` (as the user named it) and `name`, then the action's own. */
		event(action, rec, extra = {}) {
			return {
				type: "container",
				action,
				id: rec.id,
				attributes: {
					...rec.config.Labels ?? {},
					image: rec.image,
					name: rec.name,
					...extra
				}
			};
		}
		/** Events that change nothing in the store (attach, kill, exec …), each in its own transaction. */
		announce(action, ref, extra = {}) {
			const rec = this.tryGet(ref);
			if (rec) this.engine.events.announce(this.event(action, rec, extra));
		}
		/** Every container, newest first (running ones only unless `all`). */
		list(options = {}) {
			return this.engine.db.prepare("SELECT * FROM containers ORDER BY created DESC").all().map((r) => this.refresh(r)).filter((r) => options.all || r.state === "running");
		}
		/** A "running" record whose process is gone was stopped by a crash: record how it ended. */
		refresh(row) {
			if (row.state === "running" && !this.live.has(row.id) && processStart(row.monitor_pid) !== row.monitor_start) {
				let code = 137;
				try {
					code = Number(readFileSync(join(this.dirOf(row.id), "exit"), "utf8").trim());
				} catch {}
				const now = Date.now();
				const exited = {
					...row,
					state: "exited",
					exit_code: code,
					finished_at: now,
					sandbox_pid: 0
				};
				this.recordExitRow(exited);
				row = exited;
			}
			return {
				id: row.id,
				name: row.name,
				imageId: row.image_id,
				image: row.image,
				config: JSON.parse(row.config),
				created: row.created,
				state: row.state,
				exitCode: row.exit_code,
				startedAt: row.started_at,
				finishedAt: row.finished_at,
				sandboxPid: row.sandbox_pid
			};
		}
		create(opts, hostEnv = process.env) {
			const imageId = this.engine.images.resolve(opts.image);
			const image = this.engine.images.readConfig(imageId);
			let name = opts.name;
			if (name !== void 0) {
				name = name.replace(/^\//, "");
				if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new StrataError("invalid", `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
			}
			const id = randomBytes(32).toString("hex");
			const userEnv = [];
			for (const f of opts.envFiles ?? []) userEnv.push(...parseEnvFile(readFileSync(f, "utf8"), hostEnv));
			for (const e of opts.env ?? []) {
				const v = resolveEnvArg(e, hostEnv);
				if (v !== void 0) userEnv.push(v);
			}
			const settings = containerSettings(image.config ?? {}, opts, userEnv, id.slice(0, 12));
			if (containerArgs(settings).length === 0) throw new StrataError("invalid", "No command specified");
			const dir = this.dirOf(id);
			mkdirSync(join(dir, "upper"), { recursive: true });
			mkdirSync(join(dir, "work"), { recursive: true });
			const insert = this.engine.db.prepare("INSERT INTO containers(id, name, image_id, image, config, created) VALUES (?, ?, ?, ?, ?, ?)");
			for (let attempt = 0;; attempt++) {
				const n = name ?? randomName(attempt);
				try {
					this.engine.db.transaction(() => {
						insert.run(id, n, imageId, opts.image, JSON.stringify(settings), Date.now());
						this.engine.events.record(this.event("create", {
							id,
							name: n,
							image: opts.image,
							config: settings
						}));
					}).immediate();
					break;
				} catch (err) {
					if (!/UNIQUE constraint failed: containers.name/.test(err.message)) throw err;
					if (name !== void 0) {
						rmSync(dir, {
							recursive: true,
							force: true
						});
						const other = this.get(n);
						throw new ConflictError(`Conflict. The container name "/${n}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`);
					}
					if (attempt > 10) throw err;
				}
			}
			return this.get(id);
		}
		/**
		* Starts the container in this process and returns its handle (the terminal of the desktop
		* app and `run`/`start -a` use it). The container is recorded as running until the handle's
		* `exited` settles; a start error (command not found …) keeps it "Created", with the exit code.
		*/
		async start(ref, options = {}) {
			const rec = this.get(ref);
			if (rec.state === "running") throw new ConflictError(`container ${rec.name} is already running`);
			const why = sandboxUnavailable();
			if (why) throw new StrataError("unsupported", `cannot start container: ${why}`);
			const lowerDirs = await this.snapshots.lowerDirs(rec.imageId);
			const upperDir = this.upperDir(rec.id);
			const s = rec.config;
			const view = new RootfsView(lowerDirs, upperDir);
			let proc;
			try {
				const home = resolveUser(view, s.User || void 0).home;
				proc = await startProcess({
					lowerDirs,
					upperDir,
					workDir: join(this.dirOf(rec.id), "work"),
					network: s.Network,
					process: {
						args: containerArgs(s),
						env: processEnv(s, home),
						cwd: s.WorkingDir || "/",
						...s.User ? { user: s.User } : {},
						tty: s.Tty,
						hostname: s.Hostname
					},
					...options.size ? { size: options.size } : {}
				});
			} catch (err) {
				if (err instanceof ExecError) this.engine.db.prepare("UPDATE containers SET exit_code = ? WHERE id = ?").run(err.exitCode, rec.id);
				throw err;
			}
			rmSync(join(this.dirOf(rec.id), "exit"), { force: true });
			const startedAt = Date.now();
			this.engine.db.transaction(() => {
				this.engine.db.prepare("UPDATE containers SET state = 'running', started_at = ?, finished_at = 0, exit_code = 0, monitor_pid = ?, monitor_start = ?, sandbox_pid = ? WHERE id = ?").run(startedAt, process.pid, processStart(process.pid) ?? "", proc.pid, rec.id);
				this.engine.events.record(this.event("start", rec));
			}).immediate();
			const log = join(this.dirOf(rec.id), "container.log");
			proc.onData((data, stream) => {
				const line = JSON.stringify({
					log: data.toString("utf8"),
					stream,
					time: (/* @__PURE__ */ new Date()).toISOString()
				});
				appendFileSync(log, `${line}\n`);
			});
			const exited = proc.exited.then((r) => {
				this.recordExit(rec.id, r.exitCode);
				return r;
			}, (err) => {
				this.recordExit(rec.id, 125);
				throw err;
			}).finally(() => this.live.delete(rec.id));
			const handle = withOnExit({
				id: rec.id,
				write: (d) => proc.write(d),
				end: () => proc.end(),
				resize: (c, r) => proc.resize(c, r),
				onData: (fn) => proc.onData(fn),
				exited,
				kill: (sig) => proc.kill(sig)
			});
			this.live.set(rec.id, handle);
			return handle;
		}
		recordExit(id, code) {
			try {
				writeFileSync(join(this.dirOf(id), "exit"), String(code));
			} catch {}
			const row = this.engine.db.prepare("SELECT * FROM containers WHERE id = ?").get(id);
			if (row) this.recordExitRow({
				...row,
				state: "exited",
				exit_code: code,
				finished_at: Date.now(),
				sandbox_pid: 0
			});
		}
		/** Records how a running container ended, once (whoever notices first), with docker's `die` event. */
		recordExitRow(row) {
			this.engine.db.transaction(() => {
				if (this.engine.db.prepare("UPDATE containers SET state = 'exited', exit_code = ?, finished_at = ?, sandbox_pid = 0 WHERE id = ? AND state = 'running'").run(row.exit_code, row.finished_at, row.id).changes === 0) return;
				const rec = {
					id: row.id,
					name: row.name,
					image: row.image,
					config: JSON.parse(row.config)
				};
				const seconds = Math.max(0, Math.trunc((row.finished_at - row.started_at) / 1e3));
				this.engine.events.record(this.event("die", rec, {
					exitCode: String(row.exit_code),
					execDuration: String(seconds)
				}));
			}).immediate();
		}
		/** The handle of a container this process runs (for the desktop terminal). */
		attach(ref) {
			return this.live.get(this.get(ref).id);
		}
		/**
		* Starts the container in a detached monitor process that outlives the caller (`run -d`,
		* `start`); resolves once it runs, or rejects with the start error.
		*/
		async startDetached(ref) {
			const rec = this.get(ref);
			if (rec.state === "running") return;
			const monitor = monitorCommand(this.engine.root, rec.id);
			const child = spawn(monitor.command, monitor.args, {
				env: monitor.env,
				detached: true,
				stdio: [
					"ignore",
					"pipe",
					"ignore"
				]
			});
			const first = await new Promise((resolve) => {
				let buf = "";
				child.stdout.on("data", (d) => {
					buf += d.toString();
					if (buf.includes("\n")) resolve(buf.split("\n")[0]);
				});
				child.on("exit", (code) => resolve(buf || `error 125 monitor exited with code ${code}`));
			});
			child.stdout.destroy();
			child.unref();
			if (first === "ok") return;
			const m = /^error (\d+) ([\s\S]*)$/.exec(first);
			throw new ExecError(m ? m[2] : first, m ? Number(m[1]) : 125);
		}
		/**
		* The container's main process (pid 1 inside): the child bwrap made in the new pid namespace
		* (bwrap runs `--as-pid-1`). While the sandbox is still being set up (overlay mount), there is
		* none yet.
		*/
		mainPid(sandboxPid) {
			try {
				if (readFileSync(`/proc/${sandboxPid}/comm`, "utf8").trim() !== "bwrap") return void 0;
				const outerNs = readlinkSync(`/proc/${sandboxPid}/ns/pid`);
				return readFileSync(`/proc/${sandboxPid}/task/${sandboxPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number).find((c) => {
					try {
						return readlinkSync(`/proc/${c}/ns/pid`) !== outerNs;
					} catch {
						return false;
					}
				});
			} catch {
				return;
			}
		}
		/** Waits (briefly) for the main process of a container that is starting. */
		async waitMainPid(id, timeoutMs = 5e3) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const rec = this.get(id);
				if (rec.state !== "running") return void 0;
				const pid = this.mainPid(rec.sandboxPid);
				if (pid !== void 0 || Date.now() > deadline) return pid;
				await new Promise((r) => setTimeout(r, 20));
			}
		}
		/** Sends a signal to the container's main process (SIGKILL: to the whole sandbox). */
		async kill(ref, signal = "SIGKILL") {
			const rec = this.get(ref);
			if (rec.state !== "running") throw new ConflictError(`Cannot kill container: ${ref}: container ${rec.id} is not running`);
			const main = signal === "SIGKILL" ? void 0 : await this.waitMainPid(rec.id);
			this.engine.events.announce(this.event("kill", rec, { signal: String(constants$1.signals[signal] ?? signal) }));
			try {
				if (main) process.kill(main, signal);
				else process.kill(-rec.sandboxPid, signal);
			} catch {}
			return rec;
		}
		/** docker stop: the stop signal, then SIGKILL after `timeout` seconds; resolves once it exited. */
		async stop(ref, timeoutSeconds = 10) {
			const rec = this.get(ref);
			if (rec.state !== "running") return rec;
			await this.kill(rec.id, rec.config.StopSignal ?? "SIGTERM");
			if (!await this.waitExit(rec.id, timeoutSeconds * 1e3)) {
				if (this.get(rec.id).state === "running") await this.kill(rec.id, "SIGKILL");
				await this.waitExit(rec.id, 1e4);
			}
			this.engine.events.announce(this.event("stop", rec));
			return this.get(rec.id);
		}
		/** Polls until the container is no longer running; false on timeout. */
		async waitExit(id, timeoutMs) {
			const live = this.live.get(id);
			const deadline = Date.now() + timeoutMs;
			if (live) {
				const timer = new Promise((r) => setTimeout(() => r(false), timeoutMs).unref());
				return Promise.race([live.exited.then(() => true, () => true), timer]);
			}
			while (Date.now() < deadline) {
				if (this.get(id).state !== "running") return true;
				await new Promise((r) => setTimeout(r, 50));
			}
			return this.get(id).state !== "running";
		}
		/** `rm`: refuses a running container unless forced (then kills it first). */
		async remove(ref, options = {}) {
			const rec = this.get(ref);
			if (rec.state === "running") {
				if (!options.force) throw new ConflictError(`cannot remove container "/${rec.name}": container is running: stop the container before removing or force remove`);
				await this.kill(rec.id, "SIGKILL");
				await this.waitExit(rec.id, 1e4);
			}
			this.engine.db.transaction(() => {
				this.engine.db.prepare("DELETE FROM containers WHERE id = ?").run(rec.id);
				this.engine.events.record(this.event("destroy", rec));
			}).immediate();
			removeTree(this.dirOf(rec.id));
			rmSync(`${this.upperDir(rec.id)}.opaque`, { force: true });
		}
		/** `container prune`: removes every container that is not running; returns their IDs and freed bytes. */
		async prune() {
			const deleted = [];
			let reclaimed = 0;
			for (const c of this.prunable()) {
				reclaimed += c.sizeRw;
				await this.remove(c.id);
				deleted.push(c.id);
			}
			this.engine.events.announce({
				type: "container",
				action: "prune",
				id: "",
				attributes: { reclaimed: String(reclaimed) }
			});
			return {
				deleted,
				reclaimed
			};
		}
		/** What `prune` would remove: every container not running, with its writable layer's size. */
		prunable() {
			return this.list({ all: true }).filter((c) => c.state !== "running").map((c) => ({
				id: c.id,
				sizeRw: this.sizeRw(c.id)
			}));
		}
		/** Runs another process in a running container (`exec`). */
		async exec(ref, spec) {
			const rec = this.get(ref);
			if (rec.state !== "running") throw new ConflictError(`container ${rec.id} is not running`);
			const init = await this.waitMainPid(rec.id);
			if (!init) throw new ConflictError(`container ${rec.id} is not running`);
			const lowerDirs = await this.snapshots.lowerDirs(rec.imageId);
			const view = new RootfsView(lowerDirs, this.upperDir(rec.id));
			const user = resolveUser(view, spec.user ?? (rec.config.User || void 0));
			const env = processEnv({
				...rec.config,
				Tty: spec.tty ?? false,
				Env: [...rec.config.Env ?? [], ...spec.env ?? []]
			}, user.home);
			const execID = randomBytes(32).toString("hex");
			const command = spec.args.join(" ");
			this.engine.events.announce(this.event(`exec_create: ${command}`, rec, { execID }));
			const proc = await execInContainer({
				sandboxPid: this.get(rec.id).sandboxPid,
				initPid: init,
				upperDir: this.upperDir(rec.id),
				view,
				args: spec.args,
				env,
				cwd: spec.workdir ?? (rec.config.WorkingDir || "/"),
				user,
				tty: spec.tty ?? false,
				...spec.size ? { size: spec.size } : {}
			});
			this.engine.events.announce(this.event(`exec_start: ${command}`, rec, { execID }));
			const exited = proc.exited.then((r) => {
				if (this.engine.db.open) this.engine.events.announce(this.event("exec_die", rec, {
					execID,
					exitCode: String(r.exitCode)
				}));
				return r;
			});
			return withOnExit({
				id: rec.id,
				write: (d) => proc.write(d),
				end: () => proc.end(),
				resize: (c, r) => proc.resize(c, r),
				onData: (fn) => proc.onData(fn),
				exited,
				kill: (s) => proc.kill(s)
			});
		}
		/** The container's filesystem without running anything (Files tab, diff, export). */
		async rootfs(ref) {
			const rec = this.get(ref);
			return new RootfsView(await this.snapshots.lowerDirs(rec.imageId), this.upperDir(rec.id));
		}
		async lowerDirs(ref) {
			return this.snapshots.lowerDirs(this.get(ref).imageId);
		}
		async changes(ref) {
			const rec = this.get(ref);
			const lowerDirs = await this.snapshots.lowerDirs(rec.imageId);
			if (rec.state === "running") await detectOpaqueDirs(lowerDirs, this.upperDir(rec.id)).catch(() => {});
			return changes(lowerDirs, this.upperDir(rec.id));
		}
		/** The container's output as recorded, line by line, in order. */
		logs(ref) {
			const rec = this.get(ref);
			let text = "";
			try {
				text = readFileSync(join(this.dirOf(rec.id), "container.log"), "utf8");
			} catch {
				return [];
			}
			const out = [];
			for (const l of text.split("\n")) {
				if (!l) continue;
				const j = JSON.parse(l);
				for (const line of j.log.match(/[^\n]*\n|[^\n]+$/g) ?? []) out.push({
					stream: j.stream,
					text: line,
					time: j.time
				});
			}
			return out;
		}
		/** Bytes in a container's writable layer, counted as docker counts SizeRw (usage/directory-size.ts). */
		sizeRw(id) {
			return directorySize(this.upperDir(id));
		}
		diskUsage() {
			return this.list({ all: true }).map((c) => {
				const sizeRw = this.sizeRw(c.id);
				return {
					id: c.id,
					names: [`/${c.name}`],
					image: c.image,
					command: containerArgs(c.config).join(" "),
					created: Math.floor(c.created / 1e3),
					state: c.state,
					status: statusText(c, Date.now()),
					sizeRw,
					sizeRootFs: sizeRw + (this.engine.images.get(c.imageId)?.size ?? 0)
				};
			});
		}
		exists(id) {
			return existsSync(this.dirOf(id));
		}
	};
}));
// src/main/engine/engine.ts
init_db();
init_content_store();
init_image_service();
init_event_log();
init_cache();
init_container_service();
/**
* Creates a store directory only its owner may enter (0700), and closes one that already exists
* more openly (say a `mkdir`ed 0755 root): as root, image layers put setuid-root files and device
* nodes under snapshots/ and containers/, which no other local user may reach.
*/
function privateDir(dir) {
	mkdirSync(dir, {
		recursive: true,
		mode: 448
	});
	const st = statSync(dir);
	if ((st.mode & 63) !== 0 && st.uid === process.getuid?.()) chmodSync(dir, st.mode & 4032);
}
/**
* The engine: the rooms of the store, opened together. Operations that span rooms (load, save,
* build, pull …) are functions in their service folders that take an Engine; stateful services
* that must be present whenever the store is open (they hold gc roots or keep images in use)
* are constructed here.
*
* Layout of the root: `strata.db` (metadata), `blobs/` (content store), `snapshots/`,
* `containers/` (service-owned directories).
*/
var Engine = class Engine {
	root;
	db;
	content;
	/** The store's change feed: services record each change's event in its transaction. */
	events;
	/** Follows the feed (this and other processes' changes). */
	feed;
	/** The feed as the contract's change events, for the views. */
	bus;
	images;
	gc;
	containers;
	closers = [];
	constructor(root) {
		this.root = root;
		privateDir(root);
		const dbFile = join(root, "strata.db");
		this.db = openDatabase(dbFile);
		this.content = new ContentStore(join(root, "blobs"));
		this.events = new EventLog(this.db);
		this.feed = new ChangeFeed(this.db, this.events, dbFile);
		this.bus = new ChangeBus(this.feed);
		this.images = new ImageService(this.db, this.content, this.events);
		this.gc = new GarbageCollector(this.db, this.content, this.events);
		registerBuildService(this);
		this.containers = new ContainerService(this);
	}
	static open(options = {}) {
		return new Engine(resolve(options.root ?? defaultRoot()));
	}
	/** A directory owned by one service, created on first use. */
	dir(name) {
		const d = join(this.root, name);
		privateDir(d);
		return d;
	}
	onClose(fn) {
		this.closers.push(fn);
	}
	fsck() {
		return fsck(this.db, this.content, this.gc);
	}
	close() {
		for (const fn of this.closers.splice(0).reverse()) fn();
		this.feed.close();
		this.db.close();
	}
};
// src/main/cli/args.ts
init_errors$2();
var UsageError = class extends StrataError {
	constructor(message) {
		super("invalid", message);
	}
};
/**
* Parses `argv` against `specs`. With `interspersed` false (like `docker run`), the first
* positional argument ends flag parsing so the container's command keeps its own flags.
*/
function parseArgs(argv, specs, interspersed = true) {
	const flags = {};
	const args = [];
	const byName = new Map(specs.map((s) => [s.name, s]));
	const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short, s]));
	const set = (spec, value) => {
		if (spec.type === "bool") {
			if (value !== void 0 && ![
				"true",
				"false",
				"1",
				"0"
			].includes(value)) throw new UsageError(`invalid argument "${value}" for "--${spec.name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
			flags[spec.name] = value === void 0 || value === "true" || value === "1";
		} else if (spec.type === "string") flags[spec.name] = value;
		else flags[spec.name] = [...flags[spec.name] ?? [], value];
	};
	let i = 0;
	let positionalOnly = false;
	while (i < argv.length) {
		const a = argv[i];
		i++;
		if (positionalOnly || a === "-" || !a.startsWith("-")) {
			args.push(a);
			if (!interspersed) positionalOnly = true;
			continue;
		}
		if (a === "--") {
			positionalOnly = true;
			continue;
		}
		if (a.startsWith("--")) {
			const eq = a.indexOf("=");
			const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
			const spec = byName.get(name);
			if (!spec) throw new UsageError(`unknown flag: --${name}`);
			let value = eq === -1 ? void 0 : a.slice(eq + 1);
			if (value === void 0 && spec.type !== "bool") {
				if (i >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
				value = argv[i++];
			}
			set(spec, value);
			continue;
		}
		for (let k = 1; k < a.length; k++) {
			const ch = a[k];
			const spec = byShort.get(ch);
			if (!spec) throw new UsageError(`unknown shorthand flag: '${ch}' in ${a}`);
			if (spec.type === "bool") {
				set(spec, void 0);
				continue;
			}
			let value = a.slice(k + 1);
			if (value.startsWith("=")) value = value.slice(1);
			if (value === "") {
				if (i >= argv.length) throw new UsageError(`flag needs an argument: '${ch}' in -${ch}`);
				value = argv[i++];
			}
			set(spec, value);
			break;
		}
	}
	return {
		flags,
		args
	};
}
// src/main/cli/command.ts
function flagString(ctx, name) {
	const v = ctx.flags[name];
	return typeof v === "string" ? v : void 0;
}
function flagStrings(ctx, name) {
	const v = ctx.flags[name];
	return Array.isArray(v) ? v : [];
}
function flagBool(ctx, name) {
	return ctx.flags[name] === true;
}
// src/main/cli/units.ts
/** "2 weeks ago" from unix seconds, relative to `now` (ms). */
function createdSince(createdSeconds, now) {
	return `${humanDuration(now - createdSeconds * 1e3)} ago`;
}
/** docker's stringid.TruncateID: drop the algorithm, keep 12 characters. */
function truncateId(id) {
	const colon = id.indexOf(":");
	const hex = colon >= 0 ? id.slice(colon + 1) : id;
	return hex.length > 12 ? hex.slice(0, 12) : hex;
}
/** docker/cli formatter.Ellipsis: at most `max` runes, the last one "…" when cut. */
function ellipsis(s, max) {
	if (max <= 0) return "";
	const runes = Array.from(s);
	if (runes.length <= max) return s;
	if (max === 1) return "…";
	return `${runes.slice(0, max - 1).join("")}…`;
}
/** Go's time.Time.String() in UTC: `2024-01-01 00:00:00 +0000 UTC`. */
function goTimeString(seconds) {
	return `${(/* @__PURE__ */ new Date(seconds * 1e3)).toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}
/** RFC 3339 in UTC without fractional seconds (Go's time.RFC3339). */
function rfc3339(seconds) {
	return `${(/* @__PURE__ */ new Date(seconds * 1e3)).toISOString().slice(0, 19)}Z`;
}
var init_units = __esmMin((() => {
	init_units$1();
}));
// src/main/engine/image/image-writer.ts
/**
* The one path by which new images enter the store (import, build, commit): serialise the
* config, write an OCI manifest over the layer blobs, and record the image. Loaded and pulled
* images keep their original manifest and config bytes and go straight to `ImageService.commit`.
*/
async function writeImage(content, images, input) {
	const config = {
		...input.config,
		rootfs: {
			type: "layers",
			diff_ids: input.layers.map((l) => l.diffId)
		}
	};
	const configBytes = Buffer.from(JSON.stringify(config));
	const configBlob = await content.put(configBytes);
	const manifest = {
		schemaVersion: 2,
		mediaType: MediaType.OciManifest,
		config: {
			mediaType: MediaType.OciConfig,
			digest: configBlob.digest,
			size: configBlob.size
		},
		layers: input.layers.map((l) => ({
			mediaType: l.mediaType ?? layerMediaType(l.compression, "oci"),
			digest: l.blobDigest,
			size: l.blobSize
		}))
	};
	const manifestBlob = await content.put(JSON.stringify(manifest));
	return images.commit({
		configDigest: configBlob.digest,
		configSize: configBlob.size,
		manifestDigest: manifestBlob.digest,
		manifestSize: manifestBlob.size,
		manifestMediaType: MediaType.OciManifest,
		layers: input.layers.map((l) => ({
			...l,
			mediaType: l.mediaType ?? layerMediaType(l.compression, "oci")
		})),
		...input.tags ? { tags: input.tags } : {},
		...input.parentId ? { parentId: input.parentId } : {},
		tagEvents: true,
		...input.events ? { events: input.events(configBlob.digest) } : {}
	});
}
var init_image_writer = __esmMin((() => {
	init_oci();
}));
// src/main/engine/build/shell/goquote.ts
/** Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrintable(ch) {
	return ch === " " || printable.test(ch);
}
function hex(n, width) {
	return n.toString(16).padStart(width, "0");
}
/** Escapes one code point the way Go does inside a quoted literal (`quote` is `"` or `'`). */
function escapeRune(ch, quote) {
	if (ch === quote || ch === "\\") return "\\" + ch;
	if (isGoPrintable(ch)) return ch;
	const cp = ch.codePointAt(0) ?? 0;
	switch (cp) {
		case 7: return "\\a";
		case 8: return "\\b";
		case 12: return "\\f";
		case 10: return "\\n";
		case 13: return "\\r";
		case 9: return "\\t";
		case 11: return "\\v";
	}
	if (cp < 32 || cp === 127) return "\\x" + hex(cp, 2);
	if (cp >= 55296 && cp <= 57343) return "\\ufffd";
	if (cp < 65536) return "\\u" + hex(cp, 4);
	return "\\U" + hex(cp, 8);
}
/** `strconv.Quote(s)`. */
function goQuote(s) {
	let out = "\"";
	for (const ch of s) out += escapeRune(ch, "\"");
	return out + "\"";
}
/** `strconv.QuoteRune(r)`, which is what `%q` prints for an integer. */
function goQuoteRune(n) {
	return "'" + escapeRune(Number.isInteger(n) && n >= 0 && n <= 1114111 && !(n >= 55296 && n <= 57343) ? String.fromCodePoint(n) : "�", "'") + "'";
}
/** `fmt.Sprintf("%q", []string{...})`: `["a" "b"]`. */
function goQuoteList(items) {
	return "[" + items.map(goQuote).join(" ") + "]";
}
/** `fmt.Sprintf("%v", []string{...})`: `[a b]`. */
function goList(items) {
	return "[" + items.join(" ") + "]";
}
var printable;
var init_goquote = __esmMin((() => {
	printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
}));
// src/main/engine/build/shell/lex.ts
function envFrom(source) {
	if (isEnvGetter(source)) return source;
	const map = /* @__PURE__ */ new Map();
	if (Array.isArray(source)) for (const entry of source) {
		const eq = entry.indexOf("=");
		if (eq < 0) map.set(entry, "");
		else map.set(entry.slice(0, eq), entry.slice(eq + 1));
	}
	else if (source instanceof Map) for (const [k, v] of source) map.set(k, v);
	else for (const [k, v] of Object.entries(source)) map.set(k, v);
	return {
		get: (name) => map.get(name),
		keys: () => [...map.keys()]
	};
}
function isEnvGetter(source) {
	return typeof source.get === "function" && typeof source.keys === "function" && !(source instanceof Map);
}
/** Go's unicode.IsSpace. */
function isGoSpace(ch) {
	switch (ch) {
		case "	":
		case "\n":
		case "\v":
		case "\f":
		case "\r":
		case " ":
		case "":
		case "\xA0": return true;
	}
	return /^[\p{Zs}\u2028\u2029]$/u.test(ch);
}
function isSpecialParam(ch) {
	return "@*#?-$!0".includes(ch);
}
/**
* Converts a shell wildcard pattern (`*`, `?`, escapes; no bracket expressions) into a RegExp
* with Go regexp semantics (`.` never matches a newline).
*/
function shellPatternToRegExp(pattern, greedy, anchored, global = false) {
	const chars = Array.from(pattern);
	let out = anchored ? "^" : "";
	const star = greedy ? "[^\\n]*" : "[^\\n]*?";
	for (let i = 0; i < chars.length; i++) {
		const tok = chars[i];
		if (tok === "*") {
			out += star;
			continue;
		}
		if (tok === "?") {
			out += "[^\\n]";
			continue;
		}
		if (tok === "\\") {
			const nextCh = chars[i + 1];
			if (nextCh === "}" || nextCh === "/") continue;
			i++;
			if (nextCh !== "*" && nextCh !== "?" && nextCh !== "\\") throw new StrataError("invalid", `invalid escape '\\${nextCh ?? ""}'`);
			out += "\\" + nextCh;
			continue;
		}
		out += "[]{}.+()|^$".includes(tok) ? "\\" + tok : tok;
	}
	return new RegExp(out, global ? "gu" : "u");
}
function trimPrefix(pattern, value, greedy) {
	let re;
	try {
		re = shellPatternToRegExp(pattern, greedy, true);
	} catch (err) {
		throw new WordError(`invalid pattern (${pattern}) in substitution: ${err.message}`);
	}
	const m = re.exec(value);
	return m ? value.slice(m.index + m[0].length) : value;
}
/** Reverses a pattern but keeps escape pairs in order: `a\*c` becomes `c\*a`. */
function reversePattern(pattern) {
	const runes = Array.from(pattern);
	const out = new Array(runes.length);
	const last = runes.length - 1;
	for (let i = 0; i <= last;) {
		const tok = runes[i];
		const outIdx = last - i;
		if (tok === "\\" && i !== last) {
			out[outIdx - 1] = tok;
			out[outIdx] = runes[i + 1];
			i += 2;
		} else {
			out[outIdx] = tok;
			i++;
		}
	}
	return out.join("");
}
function reverseString(s) {
	return Array.from(s).reverse().join("");
}
/** Regexps only find leftmost matches, so the shortest rightmost one is found on reversed text. */
function trimSuffix(pattern, value, greedy) {
	return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}
/**
* Go's Regexp.ReplaceAllString template: `$$` is a dollar, `$0`/`${0}` the match, any other
* `$name` is empty (shell patterns have no groups), a malformed `$` is literal.
*/
function expandGoTemplate(template, match) {
	let out = "";
	for (let i = 0; i < template.length;) {
		const c = template[i];
		if (c !== "$") {
			out += c;
			i++;
			continue;
		}
		if (template[i + 1] === "$") {
			out += "$";
			i += 2;
			continue;
		}
		let name;
		let end = i + 1;
		if (template[i + 1] === "{") {
			const close = template.indexOf("}", i + 2);
			const candidate = close < 0 ? "" : template.slice(i + 2, close);
			if (/^[A-Za-z0-9_]+$/.test(candidate)) {
				name = candidate;
				end = close + 1;
			}
		} else {
			const m = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
			if (m) {
				name = m[0];
				end = i + 1 + name.length;
			}
		}
		if (name === void 0) {
			out += "$";
			i++;
			continue;
		}
		if (/^\d+$/.test(name) && Number(name) === 0) out += match;
		i = end;
	}
	return out;
}
var ShellLexError, WordError, EOF, letter, digit, Words, ShellLex, ShellWord;
var init_lex = __esmMin((() => {
	init_goquote();
	init_errors$2();
	ShellLexError = class extends StrataError {
		constructor(message) {
			super("invalid", message);
		}
		name = "ShellLexError";
	};
	WordError = class extends StrataError {
		constructor(message) {
			super("invalid", message);
		}
	};
	EOF = null;
	letter = /^\p{L}$/u;
	digit = /^\p{Nd}$/u;
	Words = class {
		buf = "";
		words = [];
		inWord = false;
		addChar(ch) {
			if (isGoSpace(ch)) {
				if (this.inWord && this.buf.length > 0) {
					this.words.push(this.buf);
					this.buf = "";
					this.inWord = false;
				}
			} else this.addRawChar(ch);
		}
		addRawChar(ch) {
			this.buf += ch;
			this.inWord = true;
		}
		addString(s) {
			for (const ch of s) this.addChar(ch);
		}
		addRawString(s) {
			this.buf += s;
			this.inWord = true;
		}
		finish() {
			if (this.buf.length > 0) {
				this.words.push(this.buf);
				this.buf = "";
				this.inWord = false;
			}
			return this.words;
		}
	};
	ShellLex = class {
		escapeToken;
		rawQuotes;
		rawEscapes;
		skipProcessQuotes;
		skipUnsetEnv;
		constructor(opts = {}) {
			this.escapeToken = opts.escapeToken ?? "\\";
			this.rawQuotes = opts.rawQuotes ?? false;
			this.rawEscapes = opts.rawEscapes ?? false;
			this.skipProcessQuotes = opts.skipProcessQuotes ?? false;
			this.skipUnsetEnv = opts.skipUnsetEnv ?? false;
		}
		/** Expands variables and removes quotes; whitespace between words is kept. */
		processWord(word, env = []) {
			return this.processWordWithMatches(word, env).result;
		}
		/** Expands, then splits into words on unquoted whitespace. */
		processWords(word, env = []) {
			return this.processWordWithMatches(word, env).words;
		}
		processWordWithMatches(word, env = []) {
			const sw = new ShellWord(this, word, envFrom(env));
			try {
				const { result, words } = sw.processStopOn(EOF, this.rawEscapes);
				return {
					result,
					words,
					matched: sw.matched,
					unmatched: sw.unmatched
				};
			} catch (err) {
				if (err instanceof WordError) throw new ShellLexError(`failed to process ${goQuote(word)}: ${err.message}`);
				throw err;
			}
		}
	};
	ShellWord = class {
		chars;
		pos = 0;
		rawEscapes;
		matched = /* @__PURE__ */ new Set();
		unmatched = /* @__PURE__ */ new Set();
		lex;
		envs;
		constructor(lex, word, envs) {
			this.lex = lex;
			this.envs = envs;
			this.chars = Array.from(word);
			this.rawEscapes = lex.rawEscapes;
		}
		peek() {
			return this.pos < this.chars.length ? this.chars[this.pos] : EOF;
		}
		next() {
			return this.pos < this.chars.length ? this.chars[this.pos++] : EOF;
		}
		/** Processes until EOF or `stopChar` (consumed); BuildKit's processStopOn. */
		processStopOn(stopChar, rawEscapes) {
			const saved = this.rawEscapes;
			this.rawEscapes = rawEscapes;
			try {
				return this.scanUntil(stopChar);
			} finally {
				this.rawEscapes = saved;
			}
		}
		special(ch) {
			if (ch === "$") return () => this.processDollar();
			if (ch === "<") return () => this.processPossibleHeredoc();
			if (this.lex.skipProcessQuotes) return void 0;
			if (ch === "'") return () => this.processSingleQuote();
			if (ch === "\"") return () => this.processDoubleQuote();
		}
		scanUntil(stopChar) {
			let result = "";
			const words = new Words();
			for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
				if (stopChar !== EOF && ch === stopChar) {
					this.next();
					return {
						result,
						words: words.finish()
					};
				}
				const fn = this.special(ch);
				if (fn) {
					const tmp = fn();
					result += tmp;
					if (ch === "$") words.addString(tmp);
					else words.addRawString(tmp);
					continue;
				}
				let c = this.next();
				if (c === this.lex.escapeToken) {
					if (this.rawEscapes) {
						words.addRawChar(c);
						result += c;
					}
					const escaped = this.next();
					if (escaped === EOF) break;
					c = escaped;
					words.addRawChar(c);
				} else words.addChar(c);
				result += c;
			}
			if (stopChar !== EOF) throw new WordError(`unexpected end of statement while looking for matching ${stopChar}`);
			return {
				result,
				words: words.finish()
			};
		}
		processSingleQuote() {
			let result = "";
			const open = this.next();
			if (this.lex.rawQuotes) result += open;
			for (;;) {
				const ch = this.next();
				if (ch === EOF) throw new WordError("unexpected end of statement while looking for matching single-quote");
				if (ch === "'") {
					if (this.lex.rawQuotes) result += ch;
					return result;
				}
				result += ch;
			}
		}
		processDoubleQuote() {
			let result = "";
			const open = this.next();
			if (this.lex.rawQuotes) result += open;
			for (;;) {
				const peeked = this.peek();
				if (peeked === EOF) throw new WordError("unexpected end of statement while looking for matching double-quote");
				if (peeked === "\"") {
					this.next();
					if (this.lex.rawQuotes) result += "\"";
					return result;
				}
				if (peeked === "$") {
					result += this.processDollar();
					continue;
				}
				let ch = this.next();
				if (ch === this.lex.escapeToken) {
					if (this.rawEscapes) result += ch;
					const after = this.peek();
					if (after === EOF) continue;
					if (after === "\"" || after === "$" || after === this.lex.escapeToken) ch = this.next();
				}
				result += ch;
			}
		}
		/** `<<` may be followed by blanks before the heredoc word; keep them in the same word. */
		processPossibleHeredoc() {
			this.next();
			if (this.peek() !== "<") return "<";
			this.next();
			let result = "<<";
			if (this.peek() === "-") result += this.next();
			while (this.peek() === " " || this.peek() === "	") result += this.next();
			return result;
		}
		processDollar() {
			this.next();
			if (this.peek() !== "{") {
				const name = this.processName();
				if (name === "") return "$";
				const value = this.getEnv(name);
				if (value === void 0 && this.lex.skipUnsetEnv) return "$" + name;
				return value ?? "";
			}
			this.next();
			const first = this.peek();
			if (first === EOF) throw new WordError("syntax error: missing '}'");
			if (first === "{" || first === "}" || first === ":") throw new WordError("syntax error: bad substitution");
			const name = this.processName();
			let ch = this.next();
			let chs = ch ?? "";
			switch (ch) {
				case "}": {
					const value = this.getEnv(name);
					if (value === void 0 && this.lex.skipUnsetEnv) return "${" + name + "}";
					return value ?? "";
				}
				case ":":
					ch = this.next();
					chs += ch ?? "";
					return this.processModifier(name, ch, chs, true);
				case "+":
				case "-":
				case "?":
				case "#":
				case "%": return this.processModifier(name, ch, chs, false);
				case "/": return this.processReplace(name);
				default: throw new WordError(`unsupported modifier (${chs}) in substitution`);
			}
		}
		/** `${name<mod>word}` and `${name:<mod>word}`. */
		processModifier(name, mod, chs, nullIsUnset) {
			const trims = mod === "#" || mod === "%";
			if (nullIsUnset && trims) throw new WordError(`unsupported modifier (${chs}) in substitution`);
			let word = this.wordUntil("}", trims, "syntax error: missing '}'");
			const value = this.getEnv(name);
			const set = value !== void 0;
			if (this.lex.skipUnsetEnv && !set) return "${" + name + chs + word + "}";
			const empty = !set || nullIsUnset && value === "";
			switch (mod) {
				case "-": return empty ? word : value;
				case "+": return empty ? "" : word;
				case "?":
					if (!set) throw new WordError(`${name}: ${word || "is not allowed to be unset"}`);
					if (nullIsUnset && value === "") throw new WordError(`${name}: ${word || "is not allowed to be empty"}`);
					return value;
				case "%":
				case "#": {
					const greedy = word.startsWith(mod);
					if (greedy) word = word.slice(1);
					return mod === "%" ? trimSuffix(word, value ?? "", greedy) : trimPrefix(word, value ?? "", greedy);
				}
				default: throw new WordError(`unsupported modifier (${chs}) in substitution`);
			}
		}
		/** `${name/pattern/replacement}` and `${name//pattern/replacement}`. */
		processReplace(name) {
			const replaceAll = this.peek() === "/";
			if (replaceAll) this.next();
			const pattern = this.wordUntil("/", true, "syntax error: missing '/' in ${}");
			const replacement = this.wordUntil("}", true, "syntax error: missing '}'");
			const value = this.getEnv(name);
			if (this.lex.skipUnsetEnv && value === void 0) return "${" + name + "/" + pattern + "/" + replacement + "}";
			const subject = value ?? "";
			let re;
			try {
				re = shellPatternToRegExp(pattern, true, false, replaceAll);
			} catch (err) {
				throw new WordError(`invalid pattern (${pattern}) in substitution: ${err.message}`);
			}
			if (replaceAll) return subject.replace(re, (m) => expandGoTemplate(replacement, m));
			const m = re.exec(subject);
			if (!m) return subject;
			return subject.slice(0, m.index) + replacement + subject.slice(m.index + m[0].length);
		}
		wordUntil(stop, rawEscapes, eofMessage) {
			try {
				return this.processStopOn(stop, rawEscapes).result;
			} catch (err) {
				if (err instanceof WordError && this.peek() === EOF) throw new WordError(eofMessage);
				throw err;
			}
		}
		/** A name is letters/digits/_; a leading digit reads only digits; special params are one char. */
		processName() {
			let name = "";
			for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
				if (name === "" && digit.test(ch)) {
					while (this.peek() !== EOF && digit.test(this.peek())) name += this.next();
					return name;
				}
				if (name === "" && isSpecialParam(ch)) return this.next();
				if (!letter.test(ch) && !digit.test(ch) && ch !== "_") break;
				name += this.next();
			}
			return name;
		}
		getEnv(name) {
			const value = this.envs.get(name);
			if (value === void 0) this.unmatched.add(name);
			else this.matched.add(name);
			return value;
		}
	};
}));
// src/main/engine/build/parser/text.ts
/** strings.TrimLeftFunc(s, unicode.IsSpace) */
function trimLeadingSpace(s) {
	let i = 0;
	while (i < s.length && isGoSpace(s[i])) i++;
	return s.slice(i);
}
/** strings.TrimSpace */
function goTrimSpace(s) {
	let end = s.length;
	while (end > 0 && isGoSpace(s[end - 1])) end--;
	return trimLeadingSpace(s.slice(0, end));
}
/** bytes.TrimRight(s, "\r\n") */
function trimNewline(s) {
	let end = s.length;
	while (end > 0 && (s[end - 1] === "\n" || s[end - 1] === "\r")) end--;
	return s.slice(0, end);
}
/** regexp.Split(s, 2) with reWhitespace. */
function splitOnceOnWhitespace(s) {
	const m = reWhitespace.exec(s);
	if (!m) return [s];
	return [s.slice(0, m.index), s.slice(m.index + m[0].length)];
}
function discardBOM(s) {
	return s.startsWith("﻿") ? s.slice(1) : s;
}
/** Splits text into lines that keep their `\n` (BuildKit's scanLines). */
function splitLinesKeepEnds(text) {
	const lines = [];
	let start = 0;
	while (start < text.length) {
		const nl = text.indexOf("\n", start);
		if (nl < 0) {
			lines.push(text.slice(start));
			break;
		}
		lines.push(text.slice(start, nl + 1));
		start = nl + 1;
	}
	return lines;
}
var reWhitespace;
var init_text = __esmMin((() => {
	init_lex();
	reWhitespace = /[\t\v\f\r ]+/;
}));
// src/main/engine/build/parser/directives.ts
var validDirectives, blank, DirectiveParser;
var init_directives = __esmMin((() => {
	init_errors$2();
	validDirectives = [
		"syntax",
		"escape",
		"check"
	];
	blank = "[\\t\\n\\f\\r ]";
	DirectiveParser = class {
		line;
		regexp;
		seen = /* @__PURE__ */ new Set();
		done = false;
		/** `commentPrefix` is `#`, or `//` when sniffing the syntax of non-Dockerfile inputs. */
		constructor(commentPrefix = "#", startLine = 0) {
			this.line = startLine;
			this.regexp = new RegExp(`^${commentPrefix}${blank}*([a-zA-Z][a-zA-Z0-9]*)${blank}*=${blank}*([^\\n]+?)${blank}*$`);
		}
		/** Looks at one line; returns the directive it holds, or null. Throws on a repeated directive. */
		parseLine(line) {
			this.line++;
			if (this.done) return null;
			const m = this.regexp.exec(line);
			if (!m) {
				this.done = true;
				return null;
			}
			const name = m[1].toLowerCase();
			if (!validDirectives.includes(name)) {
				this.done = true;
				return null;
			}
			if (this.seen.has(name)) throw new StrataError("invalid", `only one ${name} parser directive can be used`);
			this.seen.add(name);
			return {
				name,
				value: m[2],
				line: this.line
			};
		}
		parseAll(data) {
			const out = [];
			for (const raw of data.split("\n")) {
				if (this.done) break;
				const d = this.parseLine(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
				if (d) out.push(d);
			}
			return out;
		}
	};
}));
// src/main/engine/build/parser/errors.ts
/** Attaches a line range to any error; errors that already carry one keep it. */
function withLocation(err, startLine, endLine = startLine) {
	if (err instanceof DockerfileParseError) return err;
	const reason = err instanceof Error ? err.message : String(err);
	return new DockerfileParseError(reason, startLine, endLine);
}
var DockerfileParseError;
var init_errors$1 = __esmMin((() => {
	init_errors$2();
	DockerfileParseError = class extends StrataError {
		name = "DockerfileParseError";
		/** The bare reason, e.g. `unknown instruction: FOO`. */
		reason;
		startLine;
		endLine;
		constructor(reason, startLine, endLine = startLine) {
			super("invalid", `dockerfile parse error on line ${startLine}: ${reason}`);
			this.reason = reason;
			this.startLine = startLine;
			this.endLine = Math.max(endLine, startLine);
		}
		/** `Dockerfile:7: unknown instruction: FOO`, for compact CLI output. */
		describe(fileName = "Dockerfile") {
			return `${fileName}:${this.startLine}: ${this.reason}`;
		}
	};
}));
// src/main/engine/build/parser/heredoc.ts
/** Parses one word; null when it is not a heredoc; throws when its quoting is broken. */
function parseHeredoc(word) {
	const m = reHeredoc.exec(word);
	if (!m) return null;
	const rest = m[3];
	if (rest === "") return null;
	const lex = new ShellLex({ skipUnsetEnv: true });
	const words = lex.processWords(rest, []);
	if (words.length !== 1) return null;
	lex.rawQuotes = true;
	const raw = lex.processWords(rest, []);
	if (raw.length !== words.length) throw new StrataError("internal", `internal lexing of heredoc produced inconsistent results: ${rest}`);
	const name = words[0];
	return {
		name,
		fileDescriptor: m[1] === "" ? 0 : Number(m[1]),
		expand: countQuotes(name) === countQuotes(raw[0]),
		chomp: m[2] === "-",
		content: ""
	};
}
/** parseHeredoc that answers null instead of throwing. */
function mustParseHeredoc(word) {
	try {
		return parseHeredoc(word);
	} catch {
		return null;
	}
}
function countQuotes(s) {
	let n = 0;
	for (const ch of s) if (ch === "'" || ch === "\"") n++;
	return n;
}
/** All heredocs started on an instruction line, in order. */
function heredocsFromLine(line) {
	const lex = new ShellLex({
		rawQuotes: true,
		rawEscapes: true,
		skipUnsetEnv: true
	});
	let words;
	try {
		words = lex.processWords(line, []);
	} catch {
		words = [];
	}
	const docs = [];
	for (const word of words) {
		const doc = parseHeredoc(word);
		if (doc) docs.push(doc);
	}
	return docs;
}
/** Strips leading tabs from every line, for `<<-` heredocs. */
function chompHeredocContent(src) {
	return src.replace(/^\t+/gm, "");
}
var reHeredoc;
var init_heredoc = __esmMin((() => {
	init_lex();
	init_errors$2();
	reHeredoc = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
}));
// src/main/engine/build/parser/line-parsers.ts
/** Splits on whitespace, keeping quoted runs together and quotes/escapes in place. */
function parseWords(rest, escapeToken) {
	const chars = Array.from(rest);
	const words = [];
	let inQuote = false;
	let inWord = false;
	let quote = "";
	let blankOK = false;
	let word = "";
	const flush = () => {
		if (blankOK || word.length > 0) words.push(word);
		word = "";
		blankOK = false;
	};
	for (let pos = 0; pos < chars.length; pos++) {
		let ch = chars[pos];
		if (!inWord && !inQuote) {
			if (isGoSpace(ch)) continue;
			inWord = true;
		}
		if (inWord && !inQuote) {
			if (isGoSpace(ch)) {
				inWord = false;
				flush();
				continue;
			}
			if (ch === "'" || ch === "\"") {
				quote = ch;
				blankOK = true;
				inQuote = true;
			}
			if (ch === escapeToken) {
				if (pos + 1 === chars.length) continue;
				word += ch;
				ch = chars[++pos];
			}
			word += ch;
			continue;
		}
		if (ch === quote) inQuote = false;
		if (ch === escapeToken && quote !== "'") {
			if (pos + 1 === chars.length) {
				inQuote = false;
				continue;
			}
			word += ch;
			ch = chars[++pos];
		}
		word += ch;
	}
	if (inWord || inQuote) flush();
	return words;
}
/** ENV and LABEL: `KEY value` (legacy) or `k=v k2=v2`. */
function parseNameVal(rest, key, escapeToken) {
	const words = parseWords(rest, escapeToken);
	if (words.length === 0) return none;
	if (!words[0].includes("=")) {
		const parts = splitOnceOnWhitespace(rest);
		if (parts.length < 2) throw new StrataError("invalid", `${key} must have two arguments`);
		return {
			args: [
				parts[0],
				parts[1],
				""
			],
			json: false
		};
	}
	const args = [];
	for (const word of words) {
		const eq = word.indexOf("=");
		if (eq < 0) throw new StrataError("invalid", `Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
		args.push(word.slice(0, eq), word.slice(eq + 1), "=");
	}
	return {
		args,
		json: false
	};
}
function parseStringsWhitespaceDelimited(rest) {
	if (rest === "") return none;
	return {
		args: rest.split(reWhitespace),
		json: false
	};
}
/** Throws NotStringArrayError for arrays of non-strings, a plain Error when it is not JSON. */
function parseJSON(rest) {
	const text = trimLeadingSpace(rest);
	if (!text.startsWith("[")) throw new StrataError("invalid", "not a JSON array");
	const parsed = JSON.parse(text);
	if (!Array.isArray(parsed)) throw new StrataError("invalid", "not a JSON array");
	for (const item of parsed) if (typeof item !== "string") throw new NotStringArrayError();
	return {
		args: parsed,
		json: true
	};
}
function lineParserFor(keyword) {
	return Object.hasOwn(dispatch$1, keyword.toLowerCase()) ? dispatch$1[keyword.toLowerCase()] : parseIgnore;
}
/** Splits `KEYWORD --flag=x -- args` into its parts. */
function splitCommand(line) {
	const parts = splitOnceOnWhitespace(goTrimSpace(line));
	if (parts.length < 2) return {
		keyword: parts[0],
		flags: [],
		rest: ""
	};
	const { rest, flags } = extractBuilderFlags(parts[1]);
	return {
		keyword: parts[0],
		flags,
		rest: goTrimSpace(rest)
	};
}
/** Leading `--words` are flags; `--` alone ends them. Quotes and `\` work as in a shell. */
function extractBuilderFlags(line) {
	const words = [];
	let phase = "spaces";
	let word = "";
	let quote = "";
	let blankOK = false;
	for (let pos = 0; pos <= line.length; pos++) {
		let ch = pos < line.length ? line[pos] : "";
		if (phase === "spaces") {
			if (pos === line.length) break;
			if (isGoSpace(ch)) continue;
			if (ch !== "-" || pos + 1 === line.length || line[pos + 1] !== "-") return {
				rest: line.slice(pos),
				flags: words
			};
			phase = "word";
		}
		if (pos === line.length) {
			if (word !== "--" && (blankOK || word.length > 0)) words.push(word);
			break;
		}
		if (phase === "word") {
			if (isGoSpace(ch)) {
				phase = "spaces";
				if (word === "--") return {
					rest: line.slice(pos),
					flags: words
				};
				if (blankOK || word.length > 0) words.push(word);
				word = "";
				blankOK = false;
				continue;
			}
			if (ch === "'" || ch === "\"") {
				quote = ch;
				blankOK = true;
				phase = "quote";
				continue;
			}
			if (ch === "\\") {
				if (pos + 1 === line.length) continue;
				ch = line[++pos];
			}
			word += ch;
			continue;
		}
		if (ch === quote) {
			phase = "word";
			continue;
		}
		if (ch === "\\") {
			if (pos + 1 === line.length) {
				phase = "word";
				continue;
			}
			ch = line[++pos];
		}
		word += ch;
	}
	return {
		rest: "",
		flags: words
	};
}
var none, NotStringArrayError, parseEnv$1, parseLabel$1, parseNameOrNameVal, parseString, parseMaybeJSON, parseMaybeJSONToList, parseHealthConfig, parseSubCommand, parseIgnore, dispatch$1;
var init_line_parsers = __esmMin((() => {
	init_lex();
	init_goquote();
	init_text();
	init_errors$2();
	none = {
		args: [],
		json: false
	};
	NotStringArrayError = class extends StrataError {
		constructor() {
			super("invalid", "when using JSON array syntax, arrays must be comprised of strings only");
		}
	};
	parseEnv$1 = (rest, ctx) => parseNameVal(rest, "ENV", ctx.escapeToken);
	parseLabel$1 = (rest, ctx) => parseNameVal(rest, "LABEL", ctx.escapeToken);
	parseNameOrNameVal = (rest, ctx) => ({
		args: parseWords(rest, ctx.escapeToken),
		json: false
	});
	parseString = (rest) => rest === "" ? none : {
		args: [rest],
		json: false
	};
	parseMaybeJSON = (rest) => {
		if (rest === "") return none;
		try {
			return parseJSON(rest);
		} catch (err) {
			if (err instanceof NotStringArrayError) throw err;
			return {
				args: [rest],
				json: false
			};
		}
	};
	parseMaybeJSONToList = (rest) => {
		try {
			return parseJSON(rest);
		} catch (err) {
			if (err instanceof NotStringArrayError) throw err;
			return parseStringsWhitespaceDelimited(rest);
		}
	};
	parseHealthConfig = (rest, ctx) => {
		let sep = 0;
		while (sep < rest.length && !isGoSpace(rest[sep])) sep++;
		let next = sep;
		while (next < rest.length && isGoSpace(rest[next])) next++;
		if (sep === 0) return none;
		const cmd = parseMaybeJSON(rest.slice(next), ctx);
		return {
			args: [rest.slice(0, sep), ...cmd.args],
			json: cmd.json
		};
	};
	parseSubCommand = (rest, ctx) => {
		if (rest === "") return none;
		return {
			args: [],
			child: ctx.parseNested(rest),
			json: false
		};
	};
	parseIgnore = () => ({
		args: [""],
		json: false
	});
	dispatch$1 = {
		add: parseMaybeJSONToList,
		arg: parseNameOrNameVal,
		cmd: parseMaybeJSON,
		copy: parseMaybeJSONToList,
		entrypoint: parseMaybeJSON,
		env: parseEnv$1,
		expose: (rest) => parseStringsWhitespaceDelimited(rest),
		from: (rest) => parseStringsWhitespaceDelimited(rest),
		healthcheck: parseHealthConfig,
		label: parseLabel$1,
		maintainer: parseString,
		onbuild: parseSubCommand,
		run: parseMaybeJSON,
		shell: parseMaybeJSON,
		stopsignal: parseString,
		user: parseString,
		volume: parseMaybeJSONToList,
		workdir: parseString
	};
}));
// src/main/engine/build/parser/parser.ts
/**
* The escape token continues a line when it is the last non-blank character, unless it is
* itself escaped (a lone token on its own line also continues).
*/
function continuationRegExp(token) {
	const t = "\\" + token;
	return new RegExp(`([^${t}])${t}[ \\t]*$|^${t}[ \\t]*$`);
}
function isComment(line) {
	return trimLeadingSpace(line).startsWith("#");
}
function isEmptyContinuationLine(line) {
	return trimLeadingSpace(trimNewline(line)).length === 0;
}
/** Trims the newline (and leading blanks on a first line), notes directives, drops comments. */
function processLine(state, raw, stripLeft) {
	let token = trimNewline(raw);
	if (stripLeft) token = trimLeadingSpace(token);
	const directive = state.possibleDirective(token);
	return {
		text: isComment(token) ? "" : token,
		directive
	};
}
function newNode(line, state, comments) {
	const { keyword, flags, rest } = splitCommand(line);
	const ctx = {
		escapeToken: state.escapeToken,
		parseNested: (nested) => newNode(nested, state, [])
	};
	const parsed = lineParserFor(keyword)(rest, ctx);
	const node = {
		keyword,
		flags,
		args: parsed.args,
		json: parsed.json,
		heredocs: [],
		original: line,
		startLine: 0,
		endLine: 0,
		prevComment: comments
	};
	if (parsed.child) node.child = parsed.child;
	return node;
}
function canContainHeredoc(node) {
	const target = node.keyword.toLowerCase() === "onbuild" && node.child ? node.child : node;
	return heredocInstructions.has(target.keyword.toLowerCase()) && !target.json;
}
/** Parses a whole Dockerfile. Throws DockerfileParseError with line numbers. */
function parse(text) {
	const state = new ParserState();
	const lines = splitLinesKeepEnds(text);
	let next = 0;
	const scan = () => next < lines.length ? lines[next++] : void 0;
	let currentLine = 0;
	const children = [];
	const warnings = [];
	let comments = [];
	for (let raw = scan(); raw !== void 0; raw = scan()) {
		if (currentLine === 0) raw = discardBOM(raw);
		if (isComment(raw)) {
			const comment = goTrimSpace(raw.slice(1));
			if (comment === "") comments = [];
			else comments.push(comment);
		}
		let first;
		try {
			first = processLine(state, raw, true);
		} catch (err) {
			throw withLocation(err, currentLine + 1);
		}
		if (first.directive) comments.pop();
		currentLine++;
		const startLine = currentLine;
		let { text: line, ended } = state.trimContinuation(first.text);
		if (ended && line === "") continue;
		let hasEmptyContinuationLine = false;
		while (!ended) {
			const contRaw = scan();
			if (contRaw === void 0) break;
			let cont;
			try {
				cont = processLine(state, contRaw, false);
			} catch (err) {
				throw withLocation(err, currentLine + 1);
			}
			currentLine++;
			if (isComment(contRaw)) continue;
			if (isEmptyContinuationLine(cont.text)) {
				hasEmptyContinuationLine = true;
				continue;
			}
			const trimmed = state.trimContinuation(cont.text);
			ended = trimmed.ended;
			line += trimmed.text;
		}
		if (hasEmptyContinuationLine) warnings.push({
			short: "Empty continuation line found in: " + line,
			detail: "Empty continuation lines will become errors in a future release",
			url: "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/",
			line: currentLine
		});
		let node;
		try {
			node = newNode(line, state, comments);
		} catch (err) {
			throw withLocation(err, startLine, currentLine);
		}
		if (canContainHeredoc(node) && line.includes("<<")) {
			let docs;
			try {
				docs = heredocsFromLine(line);
			} catch (err) {
				throw withLocation(err, startLine, currentLine);
			}
			for (const doc of docs) {
				let terminated = false;
				for (let body = scan(); body !== void 0; body = scan()) {
					currentLine++;
					let candidate = trimNewline(body);
					if (doc.chomp) candidate = candidate.replace(/^\t+/, "");
					if (candidate === doc.name) {
						terminated = true;
						break;
					}
					doc.content += body;
				}
				if (!terminated) throw new DockerfileParseError("unterminated heredoc", startLine, currentLine);
				node.heredocs.push(doc);
			}
		}
		node.startLine = startLine;
		node.endLine = currentLine;
		children.push(node);
		comments = [];
	}
	if (children.length === 0) throw new DockerfileParseError("file with no instructions", Math.max(currentLine, 1));
	return {
		children,
		escapeToken: state.escapeToken,
		directives: state.directives,
		warnings
	};
}
var heredocInstructions, ParserState;
var init_parser$1 = __esmMin((() => {
	init_directives();
	init_errors$1();
	init_heredoc();
	init_line_parsers();
	init_text();
	init_errors$2();
	heredocInstructions = /* @__PURE__ */ new Set([
		"add",
		"copy",
		"run"
	]);
	ParserState = class {
		escapeToken = "\\";
		continuation = continuationRegExp("\\");
		directiveParser = new DirectiveParser();
		directives = [];
		setEscapeToken(token) {
			if (token !== "`" && token !== "\\") throw new StrataError("invalid", `invalid escape token '${token}' does not match \` or \\`);
			this.escapeToken = token;
			this.continuation = continuationRegExp(token);
		}
		/** Records a directive if the line is one; true when it was. */
		possibleDirective(line) {
			const directive = this.directiveParser.parseLine(line);
			if (!directive) return false;
			if (directive.name === "escape") this.setEscapeToken(directive.value);
			this.directives.push(directive);
			return true;
		}
		/** Removes a trailing escape token; `ended` is false when the line continues. */
		trimContinuation(line) {
			if (!this.continuation.test(line)) return {
				text: line,
				ended: true
			};
			return {
				text: line.replace(this.continuation, "$1"),
				ended: false
			};
		}
	};
}));
// src/main/engine/build/parser/node.ts
/** BuildKit's nodeArgs: the flat argument list, ONBUILD's trigger keyword first. */
function nodeArgs(node) {
	if (node.child) return [node.child.keyword, ...nodeArgs(node.child)];
	return node.args;
}
var init_node = __esmMin((() => {}));
// src/main/engine/build/parser/index.ts
var init_parser = __esmMin((() => {
	init_parser$1();
	init_goquote();
	init_text();
	init_errors$1();
	init_heredoc();
	init_directives();
}));
// src/main/engine/build/instructions/suggest.ts
/** "did you mean …?" hints, like BuildKit's util/suggest. */
function levenshtein(a, b) {
	const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		let diag = prev[0];
		prev[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const tmp = prev[j];
			prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
			diag = tmp;
		}
	}
	return prev[b.length];
}
/** Appends ` (did you mean X?)` when an option is within edit distance 2 of `value`. */
function withSuggestion(message, value, options, caseSensitive) {
	const v = caseSensitive ? value : value.toLowerCase();
	let match = "";
	let best = 3;
	for (const option of options) {
		const o = caseSensitive ? option : option.toLowerCase();
		if (o === v) return message;
		const d = levenshtein(v, o);
		if (d < best) {
			best = d;
			match = caseSensitive ? option : matchCase(option, value);
		}
	}
	return match === "" ? message : `${message} (did you mean ${match}?)`;
}
/** Writes the suggestion in the user's case when they used one consistently. */
function matchCase(option, original) {
	if (original === original.toLowerCase()) return option.toLowerCase();
	if (original === original.toUpperCase()) return option.toUpperCase();
	return option;
}
var init_suggest = __esmMin((() => {}));
// src/main/engine/build/instructions/bflags.ts
var BFlags;
var init_bflags = __esmMin((() => {
	init_suggest();
	init_errors$2();
	BFlags = class {
		args;
		flags = /* @__PURE__ */ new Map();
		used = /* @__PURE__ */ new Set();
		constructor(args) {
			this.args = args;
		}
		addBool(name, def) {
			return this.add(name, "bool", def ? "true" : "false");
		}
		addString(name, def) {
			return this.add(name, "string", def);
		}
		addStrings(name) {
			return this.add(name, "strings", "");
		}
		add(name, type, value) {
			if (this.flags.has(name)) throw new StrataError("invalid", `duplicate flag defined: ${name}`);
			const flag = {
				name,
				type,
				value,
				values: []
			};
			this.flags.set(name, flag);
			return flag;
		}
		isUsed(name) {
			return this.used.has(name);
		}
		/** Names of flags given on the instruction, in definition order. */
		usedNames() {
			return [...this.flags.keys()].filter((n) => this.used.has(n));
		}
		/** Applies the instruction's flags to the defined ones; throws BuildKit's errors. */
		parse() {
			for (const raw of this.args) {
				if (!raw.startsWith("--")) throw new StrataError("invalid", `arg should start with -- : ${raw}`);
				if (raw === "--") return;
				let arg = raw.slice(2);
				const eq = arg.indexOf("=");
				const value = eq >= 0 ? arg.slice(eq + 1) : "";
				if (eq >= 0) arg = arg.slice(0, eq);
				const flag = this.flags.get(arg);
				if (!flag) throw new StrataError("invalid", withSuggestion(`unknown flag: ${arg}`, arg, [...this.flags.keys()], true));
				if (this.used.has(arg) && flag.type !== "strings") throw new StrataError("invalid", `duplicate flag specified: ${arg}`);
				this.used.add(arg);
				this.apply(flag, arg, value, eq >= 0);
			}
		}
		apply(flag, name, value, hasValue) {
			switch (flag.type) {
				case "bool": {
					if (hasValue && value === "") throw new StrataError("invalid", `missing a value on flag: ${name}`);
					const lower = value.toLowerCase();
					if (lower === "") flag.value = "true";
					else if (lower === "true" || lower === "false") flag.value = lower;
					else throw new StrataError("invalid", `expecting boolean value for flag ${name}, not: ${value}`);
					return;
				}
				case "string":
					if (!hasValue) throw new StrataError("invalid", `missing a value on flag: ${name}`);
					flag.value = value;
					return;
				case "strings":
					if (!hasValue) throw new StrataError("invalid", `missing a value on flag: ${name}`);
					flag.values.push(value);
					return;
			}
		}
	};
}));
// src/main/engine/build/instructions/duration.ts
/** Parses `1h30m`, `1.5s`, `300ms`, `-2s`, `0`. Throws Go's message on bad input. */
function parseGoDuration(s) {
	const fail = () => {
		throw new StrataError("invalid", `time: invalid duration "${s}"`);
	};
	let rest = s;
	let sign = 1;
	if (rest.startsWith("-") || rest.startsWith("+")) {
		sign = rest.startsWith("-") ? -1 : 1;
		rest = rest.slice(1);
	}
	if (rest === "0") return 0;
	if (rest === "") fail();
	let total = 0;
	while (rest !== "") {
		const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
		if ((m[1] ?? "") === "" && (m[2] ?? "") === "") fail();
		rest = rest.slice(m[0].length);
		const unit = /^[^\d.]+/.exec(rest)?.[0];
		if (unit === void 0) throw new StrataError("invalid", `time: missing unit in duration "${s}"`);
		const factor = unitNs[unit];
		if (factor === void 0) throw new StrataError("invalid", `time: unknown unit "${unit}" in duration "${s}"`);
		rest = rest.slice(unit.length);
		total += Number(m[1] || "0") * factor + (m[2] ? Math.round(Number("0." + m[2]) * factor) : 0);
	}
	return sign * total;
}
/** Duration.String(): `1h2m3.5s`, `1.5ms`, `0s`. */
function formatGoDuration(ns) {
	if (ns === 0) return "0s";
	const neg = ns < 0;
	let u = Math.abs(Math.trunc(ns));
	let out;
	if (u < 1e9) {
		const [unit, size] = u < 1e3 ? ["ns", 1] : u < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
		out = fraction(u, size) + unit;
	} else {
		const h = Math.floor(u / 36e11);
		u -= h * 36e11;
		const m = Math.floor(u / 6e10);
		u -= m * 6e10;
		out = fraction(u, 1e9) + "s";
		if (h > 0 || m > 0) out = `${m}m` + out;
		if (h > 0) out = `${h}h` + out;
	}
	return (neg ? "-" : "") + out;
}
function fraction(value, size) {
	const whole = Math.floor(value / size);
	const frac = value - whole * size;
	if (frac === 0) return String(whole);
	const digits = String(size).length - 1;
	return `${whole}.${String(frac).padStart(digits, "0").replace(/0+$/, "")}`;
}
var unitNs;
var init_duration = __esmMin((() => {
	init_errors$2();
	unitNs = {
		ns: 1,
		us: 1e3,
		"µs": 1e3,
		"μs": 1e3,
		ms: 1e6,
		s: 1e9,
		m: 6e10,
		h: 36e11
	};
}));
// src/main/engine/build/instructions/parse.ts
function base(req) {
	return {
		keyword: req.keyword,
		code: req.node.original.trim(),
		location: req.location
	};
}
/** ENV/LABEL arrive as key, value, separator triples. */
function parseKvps(args, cmd) {
	if (args.length === 0) throw atLeastOne(cmd);
	if (args.length % 3 !== 0) throw new StrataError("invalid", `Bad input to ${cmd}, too many arguments`);
	const out = [];
	for (let i = 0; i < args.length; i += 3) {
		if (args[i] === "") throw blankNames(cmd);
		out.push({
			key: args[i],
			value: args[i + 1],
			noDelim: args[i + 2] === ""
		});
	}
	return out;
}
function parseEnv(req) {
	req.flags.parse();
	return {
		kind: "env",
		...base(req),
		env: parseKvps(req.args, "ENV")
	};
}
function parseLabel(req) {
	req.flags.parse();
	return {
		kind: "label",
		...base(req),
		labels: parseKvps(req.args, "LABEL")
	};
}
function parseMaintainer(req) {
	if (req.args.length !== 1) throw exactlyOne("MAINTAINER");
	req.flags.parse();
	return {
		kind: "maintainer",
		...base(req),
		maintainer: req.args[0]
	};
}
/** Splits sources from the destination; heredoc sources become inline contents. */
function parseSourcesAndDest(req, cmd) {
	const srcs = req.args.slice(0, -1);
	const dest = req.args[req.args.length - 1];
	if (mustParseHeredoc(dest)) throw new StrataError("invalid", `${cmd} cannot accept a heredoc as a destination`);
	const byName = new Map(req.node.heredocs.map((h) => [h.name, h]));
	const out = {
		destPath: dest,
		sourcePaths: [],
		sourceContents: []
	};
	for (const src of srcs) {
		const doc = mustParseHeredoc(src);
		if (!doc) {
			out.sourcePaths.push(src);
			continue;
		}
		let data = byName.get(doc.name)?.content ?? "";
		if (doc.chomp) data = chompHeredocContent(data);
		out.sourceContents.push({
			path: doc.name,
			data,
			expand: doc.expand
		});
	}
	return out;
}
function parseAdd(req) {
	if (req.args.length < 2) throw noDestination("ADD");
	const exclude = req.flags.addStrings("exclude");
	const chown = req.flags.addString("chown", "");
	const chmod = req.flags.addString("chmod", "");
	const link = req.flags.addBool("link", false);
	const keepGitDir = req.flags.addBool("keep-git-dir", false);
	const checksum = req.flags.addString("checksum", "");
	const unpack = req.flags.addBool("unpack", false);
	req.flags.parse();
	const add = {
		kind: "add",
		...base(req),
		...parseSourcesAndDest(req, "ADD"),
		chown: chown.value,
		chmod: chmod.value,
		link: link.value === "true",
		keepGitDir: keepGitDir.value === "true",
		checksum: checksum.value,
		excludePatterns: exclude.values
	};
	if (req.flags.isUsed("unpack")) add.unpack = unpack.value === "true";
	return add;
}
function parseCopy(req) {
	if (req.args.length < 2) throw noDestination("COPY");
	const exclude = req.flags.addStrings("exclude");
	const parents = req.flags.addBool("parents", false);
	const chown = req.flags.addString("chown", "");
	const from = req.flags.addString("from", "");
	const chmod = req.flags.addString("chmod", "");
	const link = req.flags.addBool("link", false);
	req.flags.parse();
	return {
		kind: "copy",
		...base(req),
		...parseSourcesAndDest(req, "COPY"),
		from: from.value,
		chown: chown.value,
		chmod: chmod.value,
		link: link.value === "true",
		parents: parents.value === "true",
		excludePatterns: exclude.values
	};
}
function parseFrom(req) {
	const args = req.args;
	let name = "";
	if (args.length === 3 && args[1].toLowerCase() === "as") {
		name = args[2].toLowerCase();
		if (!validStageName.test(name)) throw new StrataError("invalid", `invalid name for build stage: "${args[2]}", name can't start with a number or contain symbols`);
	} else if (args.length !== 1) throw new StrataError("invalid", "FROM requires either one or three arguments");
	const platform = req.flags.addString("platform", "");
	req.flags.parse();
	return {
		name,
		baseName: args[0],
		platform: platform.value,
		commands: [],
		comment: commentFor(req.node.prevComment, name),
		sourceCode: req.node.original.trim(),
		location: req.location
	};
}
function parseOnbuild(req) {
	if (req.args.length === 0) throw atLeastOne("ONBUILD");
	req.flags.parse();
	const trigger = req.args[0].trim().toUpperCase();
	if (trigger === "ONBUILD") throw new StrataError("invalid", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if (trigger === "MAINTAINER" || trigger === "FROM") throw new StrataError("invalid", `${trigger} isn't allowed as an ONBUILD trigger`);
	let expression = req.node.original.replace(/^\s*ONBUILD\s*/i, "");
	for (const doc of req.node.heredocs) expression += "\n" + doc.content + doc.name;
	return {
		kind: "onbuild",
		...base(req),
		expression
	};
}
function parseWorkdir(req) {
	if (req.args.length !== 1) throw exactlyOne("WORKDIR");
	req.flags.parse();
	return {
		kind: "workdir",
		...base(req),
		path: req.args[0]
	};
}
/** Shell form joins the words into one command; exec form keeps the argv. */
function handleJSONArgs(args, json) {
	if (args.length === 0) return [];
	return json ? args : [args.join(" ")];
}
function shellDependent(req, emptyAsNull) {
	const cmd = handleJSONArgs(req.args, req.node.json);
	return {
		cmdLine: emptyAsNull && cmd.length === 0 ? null : cmd,
		files: req.node.heredocs.map((h) => ({
			name: h.name,
			data: h.content,
			chomp: h.chomp
		})),
		prependShell: !req.node.json
	};
}
function parseRun(req) {
	const mount = req.flags.addStrings("mount");
	const network = req.flags.addString("network", "default");
	const security = req.flags.addString("security", "sandbox");
	const device = req.flags.addStrings("device");
	req.flags.parse();
	if (!networkModes.includes(network.value)) throw new StrataError("invalid", `unsupported network mode "${network.value}"`);
	if (!securityModes.includes(security.value)) throw new StrataError("invalid", `unsupported security mode "${security.value}"`);
	return {
		kind: "run",
		...base(req),
		...shellDependent(req, false),
		mounts: mount.values,
		network: network.value,
		security: security.value,
		devices: device.values,
		flagsUsed: req.flags.usedNames()
	};
}
function parseCmd(req) {
	req.flags.parse();
	return {
		kind: "cmd",
		...base(req),
		...shellDependent(req, false)
	};
}
function parseEntrypoint(req) {
	req.flags.parse();
	return {
		kind: "entrypoint",
		...base(req),
		...shellDependent(req, true)
	};
}
/** A duration flag: 0 when absent or zero, otherwise at least 1ms. */
function parseOptInterval(name, value) {
	if (value === "") return 0;
	const d = parseGoDuration(value);
	if (d === 0) return 0;
	if (d < minimumDurationNs) throw new StrataError("invalid", `Interval "${name}" cannot be less than 1ms`);
	return d;
}
function parseRetries(value) {
	if (value === "") return 0;
	if (!/^[+-]?\d+$/.test(value) || Math.abs(Number(value)) > 2 ** 31) throw new StrataError("invalid", `strconv.ParseInt: parsing "${value}": invalid syntax`);
	const n = Number(value);
	if (n < 0) throw new StrataError("invalid", `--retries cannot be negative (${n})`);
	return n;
}
function parseHealthcheck(req) {
	if (req.args.length === 0) throw atLeastOne("HEALTHCHECK");
	const typ = req.args[0].toUpperCase();
	const args = req.args.slice(1);
	const empty = {
		interval: 0,
		timeout: 0,
		startPeriod: 0,
		startInterval: 0,
		retries: 0
	};
	if (typ === "NONE") {
		if (args.length !== 0) throw new StrataError("invalid", "HEALTHCHECK NONE takes no arguments");
		return {
			kind: "healthcheck",
			...base(req),
			health: {
				test: ["NONE"],
				...empty
			}
		};
	}
	const interval = req.flags.addString("interval", "");
	const timeout = req.flags.addString("timeout", "");
	const startPeriod = req.flags.addString("start-period", "");
	const startInterval = req.flags.addString("start-interval", "");
	const retries = req.flags.addString("retries", "");
	req.flags.parse();
	if (typ !== "CMD") throw new StrataError("invalid", `Unknown type "${typ}" in HEALTHCHECK (try CMD)`);
	const cmd = handleJSONArgs(args, req.node.json);
	if (cmd.length === 0) throw new StrataError("invalid", "Missing command after HEALTHCHECK CMD");
	const health = {
		test: [req.node.json ? "CMD" : "CMD-SHELL", ...cmd],
		interval: parseOptInterval("interval", interval.value),
		timeout: parseOptInterval("timeout", timeout.value),
		startPeriod: parseOptInterval("start-period", startPeriod.value),
		startInterval: parseOptInterval("start-interval", startInterval.value),
		retries: parseRetries(retries.value)
	};
	return {
		kind: "healthcheck",
		...base(req),
		health
	};
}
function parseExpose(req) {
	if (req.args.length === 0) throw atLeastOne("EXPOSE");
	req.flags.parse();
	return {
		kind: "expose",
		...base(req),
		ports: [...req.args].sort()
	};
}
function parseUser(req) {
	if (req.args.length !== 1) throw exactlyOne("USER");
	req.flags.parse();
	return {
		kind: "user",
		...base(req),
		user: req.args[0]
	};
}
function parseVolume(req) {
	if (req.args.length === 0) throw atLeastOne("VOLUME");
	req.flags.parse();
	const volumes = req.args.map((v) => {
		const trimmed = v.trim();
		if (trimmed === "") throw new StrataError("invalid", "VOLUME specified can not be an empty string");
		return trimmed;
	});
	return {
		kind: "volume",
		...base(req),
		volumes
	};
}
function parseStopSignal(req) {
	if (req.args.length !== 1) throw exactlyOne("STOPSIGNAL");
	return {
		kind: "stopsignal",
		...base(req),
		signal: req.args[0]
	};
}
function parseArg(req) {
	if (req.args.length < 1) throw atLeastOne("ARG");
	const args = req.args.map((arg) => {
		const eq = arg.indexOf("=");
		if (eq < 0) return {
			key: arg,
			comment: commentFor(req.node.prevComment, arg)
		};
		if (eq === 0) throw blankNames("ARG");
		const key = arg.slice(0, eq);
		return {
			key,
			value: arg.slice(eq + 1),
			comment: commentFor(req.node.prevComment, key)
		};
	});
	return {
		kind: "arg",
		...base(req),
		args
	};
}
function parseShell(req) {
	req.flags.parse();
	const shell = handleJSONArgs(req.args, req.node.json);
	if (shell.length === 0) throw atLeastOne("SHELL");
	if (!req.node.json) throw new StrataError("invalid", "SHELL requires the arguments to be in JSON form");
	return {
		kind: "shell",
		...base(req),
		shell
	};
}
/** `# name description` directly above an ARG or FROM documents it. */
function commentFor(comments, name) {
	if (name === "") return "";
	for (const line of comments) if (line.startsWith(name + " ")) return line.slice(name.length + 1);
	return "";
}
/** Types one AST node. Throws DockerfileParseError naming the node's lines. */
function parseInstruction(node) {
	const location = {
		startLine: node.startLine,
		endLine: node.endLine
	};
	const parser = parsers[node.keyword.toLowerCase()];
	try {
		if (!parser) throw new StrataError("invalid", withSuggestion(`unknown instruction: ${node.keyword}`, node.keyword, instructionNames, false));
		return parser({
			keyword: node.keyword,
			args: nodeArgs(node),
			flags: new BFlags(node.flags),
			node,
			location
		});
	} catch (err) {
		if (err instanceof DockerfileParseError) throw err;
		throw new DockerfileParseError(err.message, node.startLine, node.endLine);
	}
}
/** Types one node that must be a command (not FROM), e.g. an ONBUILD trigger. */
function parseCommand(node) {
	const parsed = parseInstruction(node);
	if (parsed.kind === "from") throw new DockerfileParseError("FROM is not a command type", node.startLine, node.endLine);
	return parsed;
}
/** Splits typed instructions into stages. */
function parseStages(nodes) {
	const stages = [];
	const metaArgs = [];
	for (const node of nodes) {
		const parsed = parseInstruction(node);
		if (parsed.kind === "from") {
			stages.push(parsed.stage);
			continue;
		}
		if (stages.length === 0) {
			if (parsed.kind === "arg") {
				metaArgs.push(parsed);
				continue;
			}
			throw new DockerfileParseError("no build stage in current context", node.startLine, node.endLine);
		}
		stages[stages.length - 1].commands.push(parsed);
	}
	return {
		stages,
		metaArgs
	};
}
/** Index of a stage by name (case-insensitive), or -1. */
function findStage(stages, name) {
	const lower = name.toLowerCase();
	return stages.findIndex((s) => s.name !== "" && s.name === lower);
}
var instructionNames, atLeastOne, exactlyOne, noDestination, blankNames, validStageName, networkModes, securityModes, minimumDurationNs, parsers;
var init_parse = __esmMin((() => {
	init_errors$1();
	init_heredoc();
	init_node();
	init_bflags();
	init_duration();
	init_suggest();
	init_errors$2();
	instructionNames = [
		"ADD",
		"ARG",
		"CMD",
		"COPY",
		"ENTRYPOINT",
		"ENV",
		"EXPOSE",
		"FROM",
		"HEALTHCHECK",
		"LABEL",
		"MAINTAINER",
		"ONBUILD",
		"RUN",
		"SHELL",
		"STOPSIGNAL",
		"USER",
		"VOLUME",
		"WORKDIR"
	];
	atLeastOne = (cmd) => new StrataError("invalid", `${cmd} requires at least one argument`);
	exactlyOne = (cmd) => new StrataError("invalid", `${cmd} requires exactly one argument`);
	noDestination = (cmd) => new StrataError("invalid", `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
	blankNames = (cmd) => new StrataError("invalid", `${cmd} names can not be blank`);
	validStageName = /^[a-z][a-z0-9-_.]*$/;
	networkModes = [
		"default",
		"none",
		"host"
	];
	securityModes = ["sandbox", "insecure"];
	minimumDurationNs = 1e6;
	parsers = {
		env: parseEnv,
		maintainer: parseMaintainer,
		label: parseLabel,
		add: parseAdd,
		copy: parseCopy,
		from: (req) => ({
			kind: "from",
			stage: parseFrom(req)
		}),
		onbuild: parseOnbuild,
		workdir: parseWorkdir,
		run: parseRun,
		cmd: parseCmd,
		healthcheck: parseHealthcheck,
		entrypoint: parseEntrypoint,
		expose: parseExpose,
		user: parseUser,
		volume: parseVolume,
		stopsignal: parseStopSignal,
		arg: parseArg,
		shell: parseShell
	};
}));
// src/main/engine/build/dockerignore/gopath.ts
/** Go's path.Clean and filepath.Dir for slash-separated paths (we only build on Unix paths). */
function cleanPath(path) {
	if (path === "") return ".";
	const rooted = path.startsWith("/");
	const stack = [];
	for (const seg of path.split("/")) {
		if (seg === "" || seg === ".") continue;
		if (seg === "..") {
			if (stack.length > 0 && stack[stack.length - 1] !== "..") stack.pop();
			else if (!rooted) stack.push("..");
			continue;
		}
		stack.push(seg);
	}
	const out = (rooted ? "/" : "") + stack.join("/");
	return out === "" ? "." : out;
}
function dirPath(path) {
	const slash = path.lastIndexOf("/");
	return cleanPath(path.slice(0, slash + 1));
}
var init_gopath = __esmMin((() => {}));
// src/main/engine/build/instructions/expand.ts
/** Runs `fn`, turning expansion errors into parse errors on the instruction's lines. */
function atLocation(location, fn) {
	try {
		return fn();
	} catch (err) {
		if (err instanceof DockerfileParseError) throw err;
		throw new DockerfileParseError(err.message, location.startLine, location.endLine);
	}
}
/**
* Returns a copy of `cmd` with variables expanded from `env` (the stage's ENV plus ARGs in scope)
* where BuildKit expands them. ARG is returned unchanged: use resolveArgs, which also applies
* --build-arg values and global defaults.
*/
function expandInstruction(cmd, env, opts = {}) {
	const getter = envFrom(env);
	const lex = new ShellLex({ escapeToken: opts.escapeToken ?? "\\" });
	const word = (w) => lex.processWord(w, getter);
	return expandHeredocContents(atLocation(cmd.location, () => expandWith(structuredClone(cmd), word, getter, lex)), getter);
}
function expandWith(c, word, env, lex) {
	switch (c.kind) {
		case "env":
			c.env = c.env.map((kv) => ({
				...kv,
				key: word(kv.key),
				value: word(kv.value)
			}));
			break;
		case "label":
			c.labels = c.labels.map((kv) => ({
				...kv,
				key: word(kv.key),
				value: word(kv.value)
			}));
			break;
		case "workdir":
			c.path = word(c.path);
			break;
		case "user":
			c.user = word(c.user);
			break;
		case "volume":
			c.volumes = c.volumes.map(word);
			break;
		case "stopsignal":
			c.signal = word(c.signal);
			break;
		case "expose":
			c.ports = c.ports.flatMap((p) => lex.processWords(p, env));
			break;
		case "copy":
			expandCopyCommon(c, word);
			break;
		case "add":
			c.checksum = word(c.checksum);
			expandCopyCommon(c, word);
			break;
		case "run": c.mounts = c.mounts.map((m) => expandMount(m, word));
	}
	return c;
}
function expandCopyCommon(c, word) {
	c.chown = word(c.chown);
	c.chmod = word(c.chmod);
	c.excludePatterns = c.excludePatterns.map(word);
	c.sourcePaths = c.sourcePaths.map(word);
	c.destPath = word(c.destPath);
}
/** `--mount` is CSV; each value is expanded on its own, as BuildKit does after splitting. */
function expandMount(mount, word) {
	return mount.split(",").map((field) => {
		const eq = field.indexOf("=");
		if (eq < 0 || field.slice(0, eq).toLowerCase() === "from") return field;
		return field.slice(0, eq + 1) + word(field.slice(eq + 1));
	}).join(",");
}
/**
* Expands unquoted-heredoc sources of COPY/ADD: only `$` is special, quotes stay (the content is
* a file, not Dockerfile words). BuildKit always uses `\` as the escape here.
*/
function expandHeredocContents(cmd, env) {
	if (cmd.kind !== "copy" && cmd.kind !== "add") return cmd;
	const lex = new ShellLex({ skipProcessQuotes: true });
	const target = cmd;
	atLocation(cmd.location, () => {
		target.sourceContents = target.sourceContents.map((c) => c.expand ? {
			...c,
			data: lex.processWord(c.data, env)
		} : c);
	});
	return cmd;
}
/**
* Resolves the ARGs before the first FROM. A --build-arg wins and its default is never evaluated;
* otherwise the default is expanded with the globals declared so far. `builtins` are automatic
* args such as TARGETPLATFORM, visible to global defaults.
*/
function resolveMetaArgs(metaArgs, buildArgs = {}, builtins = {}, opts = {}) {
	const env = new Map(Object.entries(builtins));
	const lex = new ShellLex({ escapeToken: opts.escapeToken ?? "\\" });
	const args = [];
	for (const cmd of metaArgs) for (const arg of cmd.args) {
		const resolved = { ...arg };
		if (Object.hasOwn(buildArgs, arg.key)) resolved.value = buildArgs[arg.key];
		else if (arg.value !== void 0) resolved.value = atLocation(cmd.location, () => lex.processWord(arg.value, env));
		if (resolved.value !== void 0) env.set(arg.key, resolved.value);
		args.push(resolved);
	}
	return {
		args,
		env
	};
}
/**
* Resolves the ARGs of one in-stage ARG instruction (BuildKit's dispatchArg): a --build-arg wins;
* else the default is expanded with the stage env; an ARG without default inherits the global
* ARG of the same name. The builder then adds each defined value to the stage env (ENV wins over
* ARG of the same name) and appends the results to the stage's build args for RUN history.
*/
function resolveArgs(cmd, ctx, opts = {}) {
	const buildArgs = ctx.buildArgs ?? {};
	const lex = new ShellLex({ escapeToken: opts.escapeToken ?? "\\" });
	const env = envFrom(ctx.env);
	return cmd.args.map((arg) => {
		const resolved = { ...arg };
		const hasValue = Object.hasOwn(buildArgs, arg.key);
		if (!hasValue && arg.value === void 0) {
			for (const meta of ctx.metaArgs ?? []) {
				if (meta.key !== arg.key) continue;
				if (meta.value === void 0) delete resolved.value;
				else resolved.value = meta.value;
			}
			return resolved;
		}
		if (hasValue) resolved.value = buildArgs[arg.key];
		else resolved.value = atLocation(cmd.location, () => lex.processWord(arg.value, env));
		return resolved;
	});
}
/** FROM's base name and platform, expanded with the global ARGs only. */
function expandStage(stage, metaEnv, opts = {}) {
	const lex = new ShellLex({ escapeToken: opts.escapeToken ?? "\\" });
	return atLocation(stage.location, () => {
		const baseName = lex.processWord(stage.baseName, metaEnv);
		if (baseName === "") throw new StrataError("invalid", `base name (${stage.baseName}) should not be blank`);
		return {
			baseName,
			platform: stage.platform === "" ? "" : lex.processWord(stage.platform, metaEnv)
		};
	});
}
/** BuildKit's NormalizeWorkdir: relative paths are joined to the current directory. */
function normalizeWorkdir(current, path) {
	if (path === "") throw new StrataError("invalid", "cannot normalize empty path");
	return cleanPath(path.startsWith("/") ? path : `/${current}/${path}`);
}
var init_expand = __esmMin((() => {
	init_lex();
	init_gopath();
	init_errors$1();
	init_errors$2();
}));
// src/main/engine/build/instructions/history.ts
/** BuildKit's dispatchRun argv: heredocs inlined or mounted, shell form wrapped in SHELL. */
function resolveRunCommand(run, shell = defaultShell) {
	let args = run.cmdLine ?? [];
	let pipeFile;
	if (run.files.length > 0) {
		if (args.length !== 1 || !run.prependShell) throw new StrataError("invalid", `parsing produced an invalid run command: ${goList(args)}`);
		const first = run.files[0];
		if (mustParseHeredoc(args[0])) {
			const data = first.chomp ? chompHeredocContent(first.data) : first.data;
			if (first.data.startsWith("#!")) {
				pipeFile = {
					path: `/dev/pipes/${first.name}`,
					data
				};
				args = [pipeFile.path];
			} else args = [data];
		} else {
			let full = args[0];
			for (const file of run.files) full += "\n" + file.data + file.name;
			args = [full];
		}
	}
	if (run.prependShell) args = withShell(shell, args);
	return pipeFile ? {
		args,
		pipeFile
	} : { args };
}
/** Shell form: SHELL followed by the command words joined into one string. */
function withShell(shell, args) {
	return [...shell, args.join(" ")];
}
/**
* BuildKit's runCommandString: ARGs in scope are prefixed as `|N k=v …` so that the history (and
* cache key) records the values the command ran with. A repeated ARG keeps its first position.
*/
function runCommandString(args, buildArgs, env = []) {
	const getter = envFrom(env);
	const entries = [];
	const index = /* @__PURE__ */ new Map();
	for (const arg of buildArgs) {
		const value = getter.get(arg.key) ?? arg.value ?? "";
		const entry = `${arg.key}=${value}`;
		const at = index.get(arg.key);
		if (at === void 0) {
			index.set(arg.key, entries.length);
			entries.push(entry);
		} else entries[at] = entry;
	}
	return [...entries.length > 0 ? [`|${entries.length}`, ...entries] : [], ...args].join(" ");
}
/**
* EXPOSE values → `port/proto` keys, as docker/go-connections nat.ParsePortSpecs does for the
* container side: default tcp, ranges expanded, sorted.
*/
function parseExposedPorts(ports) {
	const out = /* @__PURE__ */ new Set();
	for (const raw of ports) {
		const slash = raw.indexOf("/");
		const proto = (slash < 0 || raw.slice(slash + 1) === "" ? "tcp" : raw.slice(slash + 1)).toLowerCase();
		const spec = slash < 0 ? raw : raw.slice(0, slash);
		if (!protocols.has(proto)) throw new StrataError("invalid", `invalid proto: ${proto}`);
		const container = spec.slice(spec.lastIndexOf(":") + 1);
		const m = /^(\d+)(?:-(\d+))?$/.exec(container);
		if (!m) throw new StrataError("invalid", `invalid containerPort: ${container}`);
		const start = Number(m[1]);
		const end = m[2] === void 0 ? start : Number(m[2]);
		if (start > 65535 || end > 65535 || end < start) throw new StrataError("invalid", `invalid containerPort: ${container}`);
		for (let p = start; p <= end; p++) out.add(`${p}/${proto}`);
	}
	return [...out].sort();
}
/** `%q` of Docker's HealthcheckConfig pointer: `&{["CMD-SHELL" "…"] "30s" "0s" "0s" "0s" '\x03'}`. */
function healthString(h) {
	const durations = [
		h.interval,
		h.timeout,
		h.startPeriod,
		h.startInterval
	].map((d) => goQuote(formatGoDuration(d)));
	return `&{${goQuoteList(h.test)} ${durations.join(" ")} ${goQuoteRune(h.retries)}}`;
}
function entry(createdBy, withLayer, snapshot = false) {
	return {
		createdBy: snapshot ? `${createdBy} # buildkit` : createdBy,
		emptyLayer: !withLayer,
		comment: historyComment
	};
}
function copyMessage(c) {
	let msg = c.kind === "add" ? "ADD" : "COPY";
	if (c.kind === "copy" && c.parents) msg += " --parents";
	if (c.chown !== "") msg += ` --chown=${c.chown}`;
	if (c.chmod !== "") msg += ` --chmod=${c.chmod}`;
	for (const src of c.sourcePaths) msg += ` ${src}`;
	for (const content of c.sourceContents) msg += ` <<${content.path}`;
	return `${msg} ${c.destPath}`;
}
/**
* The history entry BuildKit records for an (already expanded) instruction, or null when it
* records none (ONBUILD only updates the config). ARG entries show the resolved values, so pass
* the ArgInstruction with `args` replaced by resolveArgs' result.
*/
function createdBy(cmd, ctx = {}) {
	const shell = ctx.shell && ctx.shell.length > 0 ? ctx.shell : defaultShell;
	switch (cmd.kind) {
		case "env": return entry("ENV" + cmd.env.map((kv) => ` ${kv.key}=${kv.value}`).join(""), false);
		case "label": return entry("LABEL" + cmd.labels.map((kv) => ` ${kv.key}=${kv.value}`).join(""), false);
		case "maintainer": return entry(`MAINTAINER ${cmd.maintainer}`, false);
		case "run": {
			const { args } = resolveRunCommand(cmd, shell);
			return entry("RUN " + runCommandString(args, ctx.buildArgs ?? [], ctx.env ?? []), true, true);
		}
		case "copy":
		case "add": return entry(copyMessage(cmd), true, true);
		case "workdir": {
			const wd = normalizeWorkdir(ctx.workingDir ?? "/", cmd.path);
			return entry(`WORKDIR ${wd}`, wd !== "/");
		}
		case "cmd":
		case "entrypoint": {
			const args = cmd.prependShell ? withShell(shell, cmd.cmdLine ?? []) : cmd.cmdLine ?? [];
			return entry(`${cmd.kind.toUpperCase()} ${goQuoteList(args)}`, false);
		}
		case "healthcheck": return entry(`HEALTHCHECK ${healthString(cmd.health)}`, false);
		case "expose": return entry(`EXPOSE ${goList(parseExposedPorts(cmd.ports))}`, false);
		case "user": return entry(`USER ${cmd.user}`, false);
		case "volume": return entry(`VOLUME ${goList(cmd.volumes)}`, false);
		case "stopsignal": return entry(`STOPSIGNAL ${cmd.signal}`, false);
		case "shell": return entry(`SHELL ${goList(cmd.shell)}`, false);
		case "arg": return entry("ARG " + cmd.args.map((a) => a.value === void 0 ? a.key : `${a.key}=${a.value}`).join(" "), false);
		case "onbuild": return null;
	}
}
/**
* The step name BuildKit shows in progress output: the instruction text with variables expanded
* (RUN keeps quotes and unset references) and the keyword upper-cased. Falls back to the raw text.
*/
function progressName(cmd, env, escapeToken = "\\") {
	const lex = cmd.kind === "run" ? new ShellLex({
		escapeToken,
		rawQuotes: true,
		skipUnsetEnv: true
	}) : new ShellLex({ escapeToken });
	let text;
	try {
		text = lex.processWord(cmd.code, env);
	} catch {
		text = cmd.code;
	}
	const space = text.indexOf(" ");
	return space < 0 ? text.toUpperCase() : text.slice(0, space).toUpperCase() + text.slice(space);
}
var defaultShell, historyComment, protocols;
var init_history$1 = __esmMin((() => {
	init_lex();
	init_goquote();
	init_heredoc();
	init_duration();
	init_expand();
	init_errors$2();
	defaultShell = ["/bin/sh", "-c"];
	historyComment = "buildkit.dockerfile.v0";
	protocols = /* @__PURE__ */ new Set([
		"tcp",
		"udp",
		"sctp"
	]);
}));
// src/main/engine/build/instructions/index.ts
var init_instructions = __esmMin((() => {
	init_parse();
	init_expand();
	init_history$1();
	init_bflags();
	init_duration();
}));
// src/main/engine/build/dockerignore/glob-syntax.ts
/** Throws BadPatternError when `pattern` is not a valid filepath.Match pattern. */
function checkGlobSyntax(pattern) {
	let rest = Array.from(pattern);
	while (rest.length > 0) {
		while (rest[0] === "*") rest = rest.slice(1);
		const end = chunkEnd(rest);
		checkChunk(rest.slice(0, end));
		rest = rest.slice(end);
	}
}
/** A chunk runs up to the next `*` that is not inside a character class. */
function chunkEnd(p) {
	let inRange = false;
	let i = 0;
	for (; i < p.length; i++) {
		const c = p[i];
		if (c === "\\") {
			if (i + 1 < p.length) i++;
		} else if (c === "[") inRange = true;
		else if (c === "]") inRange = false;
		else if (c === "*" && !inRange) break;
	}
	return i;
}
function checkChunk(chunk) {
	let i = 0;
	while (i < chunk.length) {
		const c = chunk[i];
		if (c === "[") {
			i++;
			if (chunk[i] === "^") i++;
			for (let ranges = 0;; ranges++) {
				if (chunk[i] === "]" && ranges > 0) {
					i++;
					break;
				}
				i = classChar(chunk, i);
				if (chunk[i] === "-") i = classChar(chunk, i + 1);
			}
		} else if (c === "\\") {
			if (i + 1 >= chunk.length) throw new BadPatternError();
			i += 2;
		} else i++;
	}
}
/** Reads one (possibly escaped) class character; the class must not end right after it. */
function classChar(chunk, i) {
	if (i >= chunk.length || chunk[i] === "-" || chunk[i] === "]") throw new BadPatternError();
	if (chunk[i] === "\\") {
		i++;
		if (i >= chunk.length) throw new BadPatternError();
	}
	i++;
	if (i >= chunk.length) throw new BadPatternError();
	return i;
}
var BadPatternError;
var init_glob_syntax = __esmMin((() => {
	init_errors$2();
	BadPatternError = class extends StrataError {
		constructor() {
			super("invalid", "syntax error in pattern");
		}
	};
}));
// src/main/engine/build/dockerignore/linear-regexp.ts
function state(fields) {
	return {
		...fields,
		seen: -1
	};
}
function single(accepts) {
	const s = state({ accepts });
	return {
		start: s,
		patch: [(to) => s.next = to]
	};
}
function epsilon() {
	const s = state({ split: true });
	return {
		start: s,
		patch: [(to) => {
			s.next = to;
			s.alt = to;
		}]
	};
}
function concat(a, b) {
	for (const p of a.patch) p(b.start);
	return {
		start: a.start,
		patch: b.patch
	};
}
function star(f) {
	const s = state({
		split: true,
		next: f.start
	});
	for (const p of f.patch) p(s);
	return {
		start: s,
		patch: [(to) => s.alt = to]
	};
}
function optional(f) {
	const s = state({
		split: true,
		next: f.start
	});
	return {
		start: s,
		patch: [...f.patch, (to) => s.alt = to]
	};
}
var LinearRegExp, NEWLINE, Parser, isDigit, isWord, isSpace, CLASS_ESCAPES, CONTROL_ESCAPES;
var init_linear_regexp = __esmMin((() => {
	LinearRegExp = class {
		start;
		step = 0;
		/** Throws for syntax this dialect lacks (as Go's regexp.Compile would for invalid input). */
		constructor(source) {
			const parser = new Parser(Array.from(source));
			const frag = parser.sequence();
			if (!parser.done()) throw new Error(`error parsing regexp: unexpected ) in ${JSON.stringify(source)}`);
			const match = {
				match: true,
				seen: -1
			};
			for (const p of frag.patch) p(match);
			this.start = frag.start;
		}
		test(input) {
			let current = [];
			this.step++;
			this.add(current, this.start, true);
			for (const ch of input) {
				const cp = ch.codePointAt(0);
				const next = [];
				this.step++;
				for (const s of current) if (s.accepts && s.accepts(cp)) this.add(next, s.next, false);
				current = next;
				if (current.length === 0) return false;
			}
			return current.some((s) => s.match);
		}
		add(list, s, atStart) {
			if (s.seen === this.step) return;
			s.seen = this.step;
			if (s.split) {
				this.add(list, s.next, atStart);
				this.add(list, s.alt, atStart);
			} else if (s.atStart) {
				if (atStart) this.add(list, s.next, atStart);
			} else list.push(s);
		}
	};
	NEWLINE = 10;
	Parser = class {
		chars;
		i = 0;
		constructor(chars) {
			this.chars = chars;
		}
		done() {
			return this.i >= this.chars.length;
		}
		/** A concatenation, up to the end or a `)`. */
		sequence() {
			let frag;
			while (!this.done() && this.chars[this.i] !== ")") {
				let atom = this.atom();
				const q = this.chars[this.i];
				if (q === "*" || q === "?") {
					this.i++;
					atom = q === "*" ? star(atom) : optional(atom);
				}
				frag = frag ? concat(frag, atom) : atom;
			}
			return frag ?? epsilon();
		}
		atom() {
			const ch = this.chars[this.i++];
			switch (ch) {
				case "(": {
					const inner = this.sequence();
					if (this.chars[this.i++] !== ")") throw new Error("error parsing regexp: missing closing )");
					return inner;
				}
				case "[": return single(this.charClass());
				case ".": return single((cp) => cp !== NEWLINE);
				case "^": {
					const s = state({ atStart: true });
					return {
						start: s,
						patch: [(to) => s.next = to]
					};
				}
				case "$":
					if (!this.done()) throw new Error("error parsing regexp: unsupported $ inside the pattern");
					return epsilon();
				case "\\": return single(this.escape());
				case "*":
				case "?": throw new Error(`error parsing regexp: missing argument to repetition operator: ${ch}`);
				default: {
					const want = ch.codePointAt(0);
					return single((cp) => cp === want);
				}
			}
		}
		/** An escape after `\` (outside or inside a class): a class escape or the literal character. */
		escape() {
			if (this.done()) throw new Error("error parsing regexp: trailing backslash at end of expression");
			const ch = this.chars[this.i++];
			const cls = CLASS_ESCAPES[ch];
			if (cls) return cls;
			const control = CONTROL_ESCAPES[ch];
			const want = control ?? ch.codePointAt(0);
			if (control === void 0 && /[A-Za-z0-9]/.test(ch)) throw new Error(`error parsing regexp: invalid escape sequence: \\${ch}`);
			return (cp) => cp === want;
		}
		/** The body of `[…]` after the `[`, Go's rules: a `]` first is literal, `a-z` ranges, escapes. */
		charClass() {
			const negated = this.chars[this.i] === "^";
			if (negated) this.i++;
			const parts = [];
			let first = true;
			for (;;) {
				if (this.done()) throw new Error("error parsing regexp: missing closing ]");
				if (this.chars[this.i] === "]" && !first) {
					this.i++;
					break;
				}
				first = false;
				const lo = this.classChar();
				if (typeof lo === "function") {
					parts.push(lo);
					continue;
				}
				if (this.chars[this.i] === "-" && this.chars[this.i + 1] !== void 0 && this.chars[this.i + 1] !== "]") {
					this.i++;
					const hi = this.classChar();
					if (typeof hi === "function" || hi < lo) throw new Error("error parsing regexp: invalid character class range");
					parts.push((cp) => cp >= lo && cp <= hi);
				} else parts.push((cp) => cp === lo);
			}
			return (cp) => parts.some((p) => p(cp)) !== negated;
		}
		classChar() {
			const ch = this.chars[this.i++];
			if (ch !== "\\") return ch.codePointAt(0);
			if (this.done()) throw new Error("error parsing regexp: trailing backslash");
			const next = this.chars[this.i];
			if (CLASS_ESCAPES[next]) {
				this.i++;
				return CLASS_ESCAPES[next];
			}
			this.i++;
			return CONTROL_ESCAPES[next] ?? next.codePointAt(0);
		}
	};
	isDigit = (cp) => cp >= 48 && cp <= 57;
	isWord = (cp) => isDigit(cp) || cp >= 65 && cp <= 90 || cp >= 97 && cp <= 122 || cp === 95;
	isSpace = (cp) => cp === 32 || cp >= 9 && cp <= 13;
	CLASS_ESCAPES = {
		d: isDigit,
		D: (cp) => !isDigit(cp),
		w: isWord,
		W: (cp) => !isWord(cp),
		s: isSpace,
		S: (cp) => !isSpace(cp)
	};
	CONTROL_ESCAPES = {
		a: 7,
		f: 12,
		t: 9,
		n: 10,
		r: 13,
		v: 11
	};
}));
// src/main/engine/build/dockerignore/patternmatcher.ts
function compilePattern(pattern) {
	const chars = Array.from(pattern);
	let re = "^";
	let type = "exactMatch";
	for (let i = 0, n = 0; i < chars.length; i++, n++) {
		const ch = chars[i];
		if (ch === "*") {
			if (chars[i + 1] === "*") {
				i++;
				if (chars[i + 1] === "/") i++;
				if (i + 1 >= chars.length) {
					if (type === "exactMatch") type = "prefixMatch";
					else {
						re += ".*";
						type = "regexpMatch";
					}
				} else {
					re += "(.*/)?";
					type = "regexpMatch";
				}
				if (n === 0) type = "suffixMatch";
			} else {
				re += "[^/]*";
				type = "regexpMatch";
			}
		} else if (ch === "?") {
			re += "[^/]";
			type = "regexpMatch";
		} else if (shouldEscape.has(ch)) re += "\\" + ch;
		else if (ch === "\\") {
			if (i + 1 < chars.length) {
				re += "\\" + chars[++i];
				type = "regexpMatch";
			} else re += "\\";
		} else if (ch === "[" || ch === "]") {
			re += ch;
			type = "regexpMatch";
		} else re += ch;
	}
	if (type !== "regexpMatch") return {
		matchType: type,
		goRegexp: ""
	};
	re += "$";
	return {
		matchType: type,
		goRegexp: re,
		regexp: new LinearRegExp(re)
	};
}
var Pattern, shouldEscape, PatternMatcher;
var init_patternmatcher = __esmMin((() => {
	init_glob_syntax();
	init_gopath();
	init_linear_regexp();
	init_errors$2();
	Pattern = class {
		cleanedPattern;
		exclusion;
		dirs;
		compiled;
		constructor(cleanedPattern, exclusion) {
			this.cleanedPattern = cleanedPattern;
			this.exclusion = exclusion;
			this.dirs = cleanedPattern.split("/");
		}
		/** The match strategy and, for regexpMatch, the Go regexp source moby would build. */
		compile() {
			this.compiled ??= compilePattern(this.cleanedPattern);
			return {
				matchType: this.compiled.matchType,
				goRegexp: this.compiled.goRegexp
			};
		}
		match(path) {
			this.compile();
			const c = this.compiled;
			const p = this.cleanedPattern;
			switch (c.matchType) {
				case "exactMatch": return path === p;
				case "prefixMatch": return path.startsWith(p.slice(0, -2));
				case "suffixMatch": {
					const suffix = p.slice(2);
					if (path.endsWith(suffix)) return true;
					return suffix.startsWith("/") && path === suffix.slice(1);
				}
				case "regexpMatch": return c.regexp.test(path);
			}
		}
	};
	shouldEscape = /* @__PURE__ */ new Set([
		".",
		"+",
		"(",
		")",
		"|",
		"{",
		"}",
		"$"
	]);
	PatternMatcher = class {
		patterns;
		/** True when any pattern is an exception (`!pattern`). */
		exclusions;
		/** Throws for `!` alone and for malformed globs, like moby's New. */
		constructor(patterns) {
			this.patterns = [];
			let exclusions = false;
			for (const raw of patterns) {
				let p = raw.trim();
				if (p === "") continue;
				p = cleanPath(p);
				let exclusion = false;
				if (p.startsWith("!")) {
					if (p.length === 1) throw new StrataError("invalid", "illegal exclusion pattern: \"!\"");
					exclusion = true;
					exclusions = true;
					p = p.slice(1);
				}
				checkGlobSyntax(p);
				this.patterns.push(new Pattern(p, exclusion));
			}
			this.exclusions = exclusions;
		}
		/** True when `file` (slash separated, relative) or one of its parent directories is matched. */
		matchesOrParentMatches(file) {
			const parentPath = dirPath(file);
			const parentDirs = parentPath.split("/");
			let matched = false;
			for (const pattern of this.patterns) {
				if (pattern.exclusion !== matched) continue;
				let match = pattern.match(file);
				if (!match && parentPath !== ".") for (let i = 0; i < parentDirs.length && !match; i++) match = pattern.match(parentDirs.slice(0, i + 1).join("/"));
				if (match) matched = !pattern.exclusion;
			}
			return matched;
		}
		/** Exact matching only, no parent directories. */
		matchesExact(file) {
			let matched = false;
			for (const pattern of this.patterns) {
				if (pattern.exclusion !== matched) continue;
				if (pattern.match(file)) matched = !pattern.exclusion;
			}
			return matched;
		}
		/**
		* moby's deprecated Matches: checks only the parent prefix as deep as the pattern. Kept because
		* the legacy conformance vectors pin it.
		*/
		matchesLegacy(file) {
			const parentPath = dirPath(file);
			const parentDirs = parentPath.split("/");
			let matched = false;
			for (const pattern of this.patterns) {
				if (pattern.exclusion !== matched) continue;
				let match = pattern.match(file);
				if (!match && parentPath !== "." && pattern.dirs.length <= parentDirs.length) match = pattern.match(parentDirs.slice(0, pattern.dirs.length).join("/"));
				if (match) matched = !pattern.exclusion;
			}
			return matched;
		}
		/**
		* For walking a tree: pass the `parentMatched` returned for the parent directory (or undefined
		* at the top) and keep the returned one for the children of `file`.
		*/
		matchesUsingParentResults(file, parentMatched) {
			if (parentMatched && parentMatched.length !== 0 && parentMatched.length !== this.patterns.length) throw new Error("wrong number of values in parentMatched");
			const haveParents = parentMatched !== void 0 && parentMatched.length !== 0;
			const result = new Array(this.patterns.length).fill(false);
			let matched = false;
			this.patterns.forEach((pattern, i) => {
				let match = haveParents ? parentMatched[i] : false;
				if (!match) {
					if (pattern.exclusion !== matched) return;
					match = pattern.match(file);
					if (!match && !haveParents) {
						const parentPath = dirPath(file);
						if (parentPath !== ".") {
							const dirs = parentPath.split("/");
							for (let j = 0; j < dirs.length && !match; j++) match = pattern.match(dirs.slice(0, j + 1).join("/"));
						}
					}
				}
				result[i] = match;
				if (match) matched = !pattern.exclusion;
			});
			return {
				matched,
				parentMatched: result
			};
		}
	};
}));
// src/main/engine/build/dockerignore/ignorefile.ts
/**
* One pattern per line; `#` lines are comments, blank lines are skipped, surrounding blanks are
* trimmed, paths are cleaned and a leading `/` is dropped (patterns are relative to the context).
*/
function readIgnoreFile(text) {
	const patterns = [];
	text.split("\n").forEach((raw, i) => {
		let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
		if (i === 0 && line.startsWith("﻿")) line = line.slice(1);
		if (line.startsWith("#")) return;
		let pattern = line.trim();
		if (pattern === "") return;
		const invert = pattern.startsWith("!");
		if (invert) pattern = pattern.slice(1).trim();
		if (pattern.length > 0) {
			pattern = cleanPath(pattern);
			if (pattern.length > 1 && pattern.startsWith("/")) pattern = pattern.slice(1);
		}
		patterns.push(invert ? "!" + pattern : pattern);
	});
	return patterns;
}
var init_ignorefile = __esmMin((() => {
	init_gopath();
}));
// src/main/engine/build/dockerignore/index.ts
var init_dockerignore = __esmMin((() => {
	init_patternmatcher();
	init_ignorefile();
	init_glob_syntax();
}));
// src/main/engine/build/context-file.ts
/**
* Opening files of an untrusted build context (or of a tree the builder unpacked). Every file is
* opened with O_NOFOLLOW | O_NONBLOCK and judged by fstat of the opened descriptor, never by an
* earlier lstat: a symlink swapped in is refused, a FIFO or device never blocks the open, and
* only regular files are ever read. Reads are bounded where the whole file is kept in memory.
*/
function fileTypeOf(st) {
	if (st.isFile()) return "file";
	if (st.isDirectory()) return "dir";
	if (st.isSymbolicLink()) return "symlink";
	if (st.isFIFO()) return "fifo";
	if (st.isCharacterDevice()) return "char";
	if (st.isBlockDevice()) return "block";
	return "socket";
}
/**
* Opens `path` as a regular file without following a final symlink and without blocking on a
* FIFO; throws a one-line error naming `what` for anything else. The caller closes `fd`.
*/
function openRegularFile(path, what = path) {
	let fd;
	try {
		fd = openSync(path, OPEN_FLAGS);
	} catch (err) {
		const code = err.code;
		if (code === "ELOOP") throw new StrataError("invalid", `${what}: is a symbolic link`, { cause: err });
		if (code === "ENOENT") throw new StrataError("not-found", `open ${what}: no such file or directory`, { cause: err });
		throw err;
	}
	const stats = fstatSync(fd);
	if (!stats.isFile()) {
		closeSync(fd);
		throw new StrataError("invalid", `${what}: not a regular file (${fileTypeOf(stats)})`);
	}
	return {
		fd,
		size: stats.size,
		stats
	};
}
/** Reads a whole regular file of at most `limit` bytes (a Dockerfile, an ignore file). */
function readRegularFile(path, limit, what = path) {
	const f = openRegularFile(path, what);
	try {
		if (f.size > limit) throw tooLarge(what, limit);
		const buf = Buffer.alloc(Math.min(f.size, limit) + 1);
		let n = 0;
		for (;;) {
			const got = readSync(f.fd, buf, n, buf.length - n, null);
			if (got === 0) break;
			n += got;
			if (n === buf.length) {
				if (n > limit) throw tooLarge(what, limit);
				break;
			}
		}
		return buf.subarray(0, n).toString("utf8");
	} finally {
		closeSync(f.fd);
	}
}
/** Reads up to `length` bytes from the start of a regular file (archive detection). */
function readHead(fd, length) {
	const buf = Buffer.alloc(length);
	let n = 0;
	while (n < length) {
		const got = readSync(fd, buf, n, length - n, n);
		if (got === 0) break;
		n += got;
	}
	return buf.subarray(0, n);
}
/**
* Exactly the `size` bytes fstat reported for an opened file (a file growing meanwhile adds
* nothing). The stream owns the descriptor from here on and closes it when done or destroyed.
*/
function streamOpened(f) {
	if (f.size === 0) {
		closeSync(f.fd);
		return Readable.from([]);
	}
	return createReadStream("", {
		fd: f.fd,
		autoClose: true,
		start: 0,
		end: f.size - 1
	});
}
function tooLarge(what, limit) {
	return new StrataError("invalid", `${what}: file too large (more than ${limit} bytes)`);
}
var OPEN_FLAGS, NEW_FILE;
var init_context_file = __esmMin((() => {
	init_errors$2();
	OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
	NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
}));
// src/main/engine/build/context.ts
/**
* The build context: a host directory, its `.dockerignore`, and the content checksums that key
* the cache of COPY/ADD steps. Nothing outside the context directory can be reached: source paths
* are cleaned against `/` before they are joined to it, and symlinks are resolved inside it.
*/
/**
* Opens a context: finds the Dockerfile and reads the ignore file (an invalid one fails the build).
* Inside the context both are located with symlinks resolved within it (never to the host), and
* read as regular files with a size bound: a FIFO, a device or `-> /dev/zero` is refused.
*/
function openContext(dir, dockerfile) {
	const root = resolve(dir);
	if (!existsSync(root) || !statSync(root).isDirectory()) throw new StrataError("not-found", `unable to prepare context: path "${dir}" not found`);
	const named = dockerfile ? isAbsolute(dockerfile) ? dockerfile : resolve(dockerfile) : join(root, "Dockerfile");
	const file = withinContext(root, named) ?? realpathOr(named);
	let dockerfileText;
	try {
		dockerfileText = readRegularFile(file, MAX_DOCKERFILE, dockerfile ?? "Dockerfile");
	} catch (err) {
		if (errorCode(err) === "not-found") throw new Error(`failed to read dockerfile: open ${dockerfile ?? "Dockerfile"}: no such file or directory`);
		throw new Error(`failed to read dockerfile: ${err.message}`);
	}
	const specific = `${named}.dockerignore`;
	const generic = join(root, ".dockerignore");
	const found = [specific, generic].map((p) => ({
		p,
		real: withinContext(root, p) ?? p
	})).find((c) => lexists$1(c.real));
	let ignore;
	if (found) {
		const label = found.p === generic ? ".dockerignore" : specific;
		try {
			const patterns = readIgnoreFile(readRegularFile(found.real, MAX_DOCKERFILE, label));
			ignore = patterns.length > 0 ? new PatternMatcher(patterns) : void 0;
		} catch (err) {
			throw new Error(`failed to parse ${label}: ${err.message}`);
		}
	}
	return {
		dir: root,
		dockerfile: named,
		dockerfileText,
		ignore
	};
}
function realpathOr(path) {
	try {
		return realpathSync(path);
	} catch {
		return path;
	}
}
function lexists$1(path) {
	try {
		lstatSync(path);
		return true;
	} catch {
		return false;
	}
}
/**
* For a path inside the context directory: the host path it names once its symlinks are
* resolved inside the context (an absolute or `..` target stays in it); undefined for a path
* outside the context (a `-f` the user pointed elsewhere is theirs to follow).
*/
function withinContext(root, path) {
	const rel = relative(root, resolve(path));
	if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) return void 0;
	return hostPath({
		root,
		label: "context"
	}, followSource({
		root,
		label: "context"
	}, cleanSourcePath(rel)));
}
function contextTree(ctx) {
	return {
		root: ctx.dir,
		ignore: ctx.ignore,
		label: "context"
	};
}
/** Cleans a source path against the tree root: `../x` cannot escape, the result is relative (`.` for the root). */
function cleanSourcePath(p) {
	const cleaned = posix.normalize(`/${p}`).replace(/\/+$/, "");
	return cleaned === "" ? "." : cleaned.slice(1);
}
function isIgnored(tree, rel) {
	if (!tree.ignore || rel === "." || rel === "") return false;
	return tree.ignore.matchesOrParentMatches(rel);
}
/** The entry at `rel`, or undefined when absent — or a socket, which docker never sends. */
function statSource(tree, rel) {
	const m = tree.meta?.get(rel);
	if (m) return m;
	if (tree.meta && rel !== ".") return void 0;
	const abs = rel === "." ? tree.root : join(tree.root, rel);
	let st;
	try {
		st = lstatSync(abs);
	} catch {
		return;
	}
	return metaFromStats(st, abs);
}
function metaFromStats(st, abs) {
	const type = fileTypeOf(st);
	if (type === "socket") return void 0;
	return {
		type,
		mode: st.mode & 4095,
		uid: 0,
		gid: 0,
		size: type === "file" ? st.size : 0,
		linkTarget: type === "symlink" ? readlinkSync(abs) : "",
		...type === "char" || type === "block" ? deviceNumbers(st.rdev) : {}
	};
}
/** Linux's major()/minor() of a device number. */
function deviceNumbers(rdev) {
	const dev = BigInt(rdev);
	return {
		devmajor: Number(dev >> 8n & 4095n | dev >> 32n & -4096n),
		devminor: Number(dev & 255n | dev >> 12n & -256n)
	};
}
/**
* Follows symlinks of a source path inside the tree (BuildKit's FollowSymlinks for the named source):
* an absolute target is taken relative to the tree root, never the host.
*/
function followSource(tree, rel, depth = 0) {
	if (depth > 40) throw new StrataError("invalid", `too many levels of symbolic links: ${rel}`);
	const parts = rel === "." ? [] : rel.split("/");
	let cur = ".";
	for (let i = 0; i < parts.length; i++) {
		const next = cur === "." ? parts[i] : `${cur}/${parts[i]}`;
		const m = statSource(tree, next);
		if (m?.type === "symlink") {
			const target = m.linkTarget.startsWith("/") ? m.linkTarget : posix.join(cur === "." ? "" : cur, m.linkTarget);
			const rest = parts.slice(i + 1).join("/");
			return followSource(tree, cleanSourcePath(rest ? `${target}/${rest}` : target), depth + 1);
		}
		cur = next;
	}
	return cur;
}
function hasWildcard(p) {
	return /[*?[]/.test(p) || p.includes("\\");
}
/** Go filepath.Match for one path segment (linear time: `a*a*a*…b` must not backtrack). */
function segmentRegExp(seg) {
	let out = "^";
	for (let i = 0; i < seg.length; i++) {
		const ch = seg[i];
		if (ch === "*") out += "[^/]*";
		else if (ch === "?") out += "[^/]";
		else if (ch === "[") {
			const end = seg.indexOf("]", i + 1);
			if (end === -1) throw new StrataError("invalid", `syntax error in pattern: ${seg}`);
			let cls = seg.slice(i + 1, end);
			if (cls.startsWith("^")) cls = `^${cls.slice(1)}`;
			out += `[${cls.replace(/\\/g, "\\\\")}]`;
			i = end;
		} else if (ch === "\\" && i + 1 < seg.length) out += escapeRe(seg[++i]);
		else out += escapeRe(ch);
	}
	return new LinearRegExp(`${out}$`);
}
function escapeRe(s) {
	return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
function listDir(tree, rel) {
	if (tree.meta) {
		const prefix = rel === "." ? "" : `${rel}/`;
		const names = /* @__PURE__ */ new Set();
		for (const k of tree.meta.keys()) if (k.startsWith(prefix) && k.length > prefix.length) names.add(k.slice(prefix.length).split("/")[0]);
		return [...names].sort();
	}
	try {
		return readdirSync(rel === "." ? tree.root : join(tree.root, rel)).sort();
	} catch {
		return [];
	}
}
/**
* Resolves one COPY/ADD source to the paths it names, sorted. A wildcard pattern matching nothing
* gives [] (BuildKit's AllowEmptyWildcard); a literal path that is absent or ignored is an error.
*/
function matchSources(tree, source) {
	const cleaned = cleanSourcePath(source);
	if (!hasWildcard(cleaned)) {
		const followed = followSource(tree, cleaned);
		if (!statSource(tree, followed) || isIgnored(tree, cleaned) || ignoredTarget(tree, followed)) throw new StrataError("not-found", `failed to compute cache key: failed to calculate checksum of ref: "/${cleaned === "." ? "" : cleaned}": not found`);
		return [cleaned];
	}
	let candidates = ["."];
	for (const seg of cleaned.split("/")) {
		const next = [];
		if (!hasWildcard(seg)) for (const c of candidates) next.push(c === "." ? seg : `${c}/${seg}`);
		else {
			const re = segmentRegExp(seg);
			for (const c of candidates) for (const name of listDir(tree, followSource(tree, c))) if (re.test(name)) next.push(c === "." ? name : `${c}/${name}`);
		}
		candidates = next;
	}
	return candidates.filter((c) => statSource(tree, followSource(tree, c)) && !isIgnored(tree, c) && !ignoredTarget(tree, followSource(tree, c))).sort();
}
/**
* Whether a source reached through symlinks lands on a path `.dockerignore` excludes: BuildKit
* never sends such a file, so a link to it finds nothing. An excluded directory is sent only
* for the exceptions inside it (the walk then keeps only those).
*/
function ignoredTarget(tree, followed) {
	if (!isIgnored(tree, followed)) return false;
	if (!tree.ignore?.exclusions || statSource(tree, followed)?.type !== "dir") return true;
	return walkSource(tree, followed).length <= 1;
}
/**
* Every entry under `start` (itself first), depth first in sorted order, skipping ignored paths.
* An ignored directory is still entered when the ignore file has exceptions (`!keep`), as
* BuildKit's walker does, so excepted files inside it are copied.
*/
function walkSource(tree, start) {
	const out = [];
	const meta = statSource(tree, start);
	if (!meta) return out;
	out.push({
		rel: "",
		treePath: start,
		meta
	});
	if (meta.type !== "dir") return out;
	const visit = (treeDir, relDir) => {
		for (const name of listDir(tree, treeDir)) {
			const treePath = treeDir === "." ? name : `${treeDir}/${name}`;
			const rel = relDir === "" ? name : `${relDir}/${name}`;
			const m = statSource(tree, treePath);
			if (!m) continue;
			const ignored = isIgnored(tree, treePath);
			if (ignored && !(m.type === "dir" && tree.ignore?.exclusions)) continue;
			if (ignored) {
				const before = out.length;
				out.push({
					rel,
					treePath,
					meta: m
				});
				visit(treePath, rel);
				if (out.length === before + 1) out.pop();
				continue;
			}
			out.push({
				rel,
				treePath,
				meta: m
			});
			if (m.type === "dir") visit(treePath, rel);
		}
	};
	visit(start, "");
	return out;
}
function hostPath(tree, treePath) {
	return treePath === "." ? tree.root : join(tree.root, treePath);
}
/** sha256 of a regular file, streamed from a descriptor opened without following links. */
async function fileDigest(path) {
	return digestOpened(openRegularFile(path));
}
async function digestOpened(f) {
	const h = sha256Hasher();
	for await (const chunk of streamOpened(f)) h.update(chunk);
	return `sha256:${h.digest("hex")}`;
}
function stamp(st) {
	return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}
async function cachedFileDigest(path, cache) {
	if (!cache) return fileDigest(path);
	const f = openRegularFile(path);
	let before;
	try {
		before = stamp(fstatSync(f.fd, { bigint: true }));
	} catch (err) {
		closeSync(f.fd);
		throw err;
	}
	const known = cache.get(path, before);
	if (known) {
		closeSync(f.fd);
		return known;
	}
	const digest = await digestOpened(f);
	if (stamp(lstatSync(path, { bigint: true })) === before) cache.set(path, before, digest);
	return digest;
}
/**
* The checksum of what a copy reads from one source: content, type, mode, ownership and link
* targets of every entry, never mtimes (a touched but unchanged file still hits the cache).
*/
async function sourceChecksum(tree, entries, cache) {
	const h = sha256Hasher();
	const files = {};
	for (const e of entries) {
		let content = "";
		if (e.meta.type === "file") content = await cachedFileDigest(hostPath(tree, e.treePath), tree.meta ? void 0 : cache);
		const device = e.meta.devmajor !== void 0 ? `\0${e.meta.devmajor},${e.meta.devminor}` : "";
		const line = `${e.treePath}\0${e.meta.type}\0${e.meta.mode.toString(8)}\0${e.meta.uid}:${e.meta.gid}\0${e.meta.linkTarget}\0${content}${device}\n`;
		h.update(line);
		files[e.treePath === "." ? "." : e.treePath] = content || `${e.meta.type}:${e.meta.mode.toString(8)}${e.meta.linkTarget ? `->${e.meta.linkTarget}` : ""}`;
	}
	return {
		digest: `sha256:${h.digest("hex")}`,
		files
	};
}
var MAX_DOCKERFILE;
var init_context = __esmMin((() => {
	init_dockerignore();
	init_linear_regexp();
	init_digest();
	init_errors$2();
	init_context_file();
	MAX_DOCKERFILE = 4 << 20;
}));
// src/main/engine/build/owner.ts
/**
* Which process owns a build: its PID with its start time (from /proc), so that a PID the kernel
* has reused since is not mistaken for the build's process.
*/
/** `pid:starttime` of a process (starttime from /proc, '' where there is no /proc). */
function processStamp(pid = process.pid) {
	return `${pid}:${startTime(pid) ?? ""}`;
}
function startTime(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
	} catch {
		return;
	}
}
/** Whether the process a stamp names is still the one running. */
function stampAlive(stamp) {
	const [pidText, start] = stamp.split(":");
	const pid = Number(pidText);
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
	} catch (err) {
		if (err.code !== "EPERM") return false;
	}
	return !start || startTime(pid) === start;
}
/**
* Name prefix of the sandbox's temp folders for the RUN steps of build `buildId` (mkdtemp adds
* six characters; the name stays `strata-run-` + alphanumerics, as the sandbox expects).
*/
function runScratchPrefix(buildId) {
	return `strata-run-${buildId}`;
}
/** The build ID in the name of a RUN sandbox's temp folder, if it has one. */
function buildOfRunScratch(name) {
	return /^strata-run-([0-9a-f]{24})[A-Za-z0-9]{6}$/.exec(name)?.[1];
}
var init_owner = __esmMin((() => {}));
// src/main/engine/build/history-store.ts
/**
* Build records: every build with its Dockerfile, args, steps, timings, cache hits and misses and
* result — the data behind build history in the UI and the instruction-order advisor.
*/
function toBuild(r) {
	return {
		id: r.id,
		context: r.context,
		dockerfile: r.dockerfile,
		dockerfileText: r.dockerfile_text,
		buildArgs: JSON.parse(r.build_args),
		target: r.target,
		tags: JSON.parse(r.tags),
		noCache: r.no_cache === 1,
		startedAt: r.started_at,
		finishedAt: r.finished_at,
		status: r.status,
		imageId: r.image_id,
		error: r.error
	};
}
var BuildHistory;
var init_history_store = __esmMin((() => {
	init_owner();
	BuildHistory = class {
		db;
		constructor(db) {
			this.db = db;
		}
		start(b) {
			const id = randomBytes(12).toString("hex");
			this.db.prepare(`INSERT INTO builds(id, context, dockerfile, dockerfile_text, build_args, target, tags, no_cache, started_at, status, owner)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`).run(id, b.context, b.dockerfile, b.dockerfileText, JSON.stringify(b.buildArgs), b.target, JSON.stringify(b.tags), b.noCache ? 1 : 0, Date.now(), processStamp());
			return id;
		}
		/** Builds still marked running, with the process that runs them (see leftovers.ts). */
		running() {
			return this.db.prepare("SELECT id, owner FROM builds WHERE status = 'running'").all();
		}
		owner(buildId) {
			return this.db.prepare("SELECT owner FROM builds WHERE id = ?").get(buildId)?.owner ?? "";
		}
		step(buildId, s) {
			this.db.prepare(`INSERT OR REPLACE INTO build_steps(build_id, n, stage, position, total, instruction, line, cache_key, inputs_key, status, cached, reason, self_changed, duration_ms, size, diff_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(buildId, s.n, s.stage, s.position, s.total, s.instruction, s.line, s.cacheKey, s.inputsKey, s.status, s.cached ? 1 : 0, s.reason, s.selfChanged ? 1 : 0, Math.round(s.durationMs), s.size, s.diffId);
		}
		finish(buildId, status, result) {
			this.db.prepare("UPDATE builds SET finished_at = ?, status = ?, image_id = ?, error = ? WHERE id = ?").run(Date.now(), status, result.imageId ?? null, result.error ?? null, buildId);
		}
		/** Builds, newest first (optionally of one Dockerfile in one context). */
		list(filter = {}) {
			const where = [];
			const params = [];
			if (filter.context) {
				where.push("context = ?");
				params.push(filter.context);
			}
			if (filter.dockerfile) {
				where.push("dockerfile = ?");
				params.push(filter.dockerfile);
			}
			params.push(filter.limit ?? 100);
			return this.db.prepare(`SELECT * FROM builds ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, rowid DESC LIMIT ?`).all(...params).map(toBuild);
		}
		get(buildId) {
			const row = this.db.prepare("SELECT * FROM builds WHERE id = ?").get(buildId);
			return row ? toBuild(row) : void 0;
		}
		steps(buildId) {
			return this.db.prepare("SELECT * FROM build_steps WHERE build_id = ? ORDER BY n").all(buildId).map((r) => ({
				n: r.n,
				stage: r.stage,
				position: r.position,
				total: r.total,
				instruction: r.instruction,
				line: r.line,
				cacheKey: r.cache_key,
				inputsKey: r.inputs_key,
				status: r.status,
				cached: r.cached === 1,
				reason: r.reason,
				selfChanged: r.self_changed === 1,
				durationMs: r.duration_ms,
				size: r.size,
				diffId: r.diff_id
			}));
		}
		/** Removes build records (all, or those older than `before` ms since epoch). */
		clear(before) {
			return this.db.prepare("DELETE FROM builds WHERE started_at < ?").run(before ?? Number.MAX_SAFE_INTEGER).changes;
		}
	};
}));
// src/main/engine/build/run.ts
/**
* RUN: the command executes in the sandbox on the stage's layers (overlayfs over read-only
* snapshots, a fresh writable layer); the writable layer's change set becomes the step's layer.
* Nothing is committed unless the process exits 0; the writable layer is thrown away either way.
*/
function lineWriter(stream, onOutput) {
	return new Writable({ write(chunk, _enc, cb) {
		onOutput(stream, chunk.toString("utf8"));
		cb();
	} });
}
/** Runs one RUN step; resolves to its layer (the change set of the writable layer). */
async function runInSandbox(engine, req) {
	const why = sandboxUnavailable();
	if (why) throw new StrataError("unsupported", `RUN cannot run here: ${why}`);
	if (req.cmd.mounts.length > 0) throw new StrataError("unsupported", "RUN --mount is not supported yet");
	const resolved = resolveRunCommand(req.cmd, req.shell);
	const lowerDirs = await new Snapshotter(engine).lowerDirsForLayers(req.layers);
	const dir = join(req.scratch, `run-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
	const upperDir = join(dir, "upper");
	const workDir = join(dir, "work");
	mkdirSync(upperDir, {
		recursive: true,
		mode: 493
	});
	mkdirSync(workDir, { recursive: true });
	try {
		const pipe = resolved.pipeFile ? writePipeFile(upperDir, resolved.pipeFile) : void 0;
		const result = await runProcess({
			lowerDirs,
			upperDir,
			workDir,
			process: {
				args: pipe?.args ?? resolved.args,
				env: req.env,
				cwd: req.cwd,
				...req.user ? { user: req.user } : {}
			},
			network: runNetwork(req.cmd.network, req.network, req.allowHostNetwork ?? false),
			scratchPrefix: runScratchPrefix(basename(req.scratch)),
			stdout: lineWriter("stdout", req.onOutput),
			stderr: lineWriter("stderr", req.onOutput),
			...req.signal ? { signal: req.signal } : {}
		});
		if (req.signal?.aborted) throw new StrataError("canceled", "build cancelled");
		if (result.exitCode !== 0) throw new RunFailedError(resolved.args, result.exitCode);
		if (pipe) rmSync(join(upperDir, pipe.top), {
			recursive: true,
			force: true
		});
		const layer = await layerFromUpper(engine, lowerDirs, upperDir);
		return {
			blobDigest: layer.blob.digest,
			blobSize: layer.blob.size,
			compression: layer.compression,
			diffId: layer.diffId,
			size: layer.size,
			diffSize: layer.diffSize,
			files: layer.files
		};
	} finally {
		removeTree(dir);
	}
}
/**
* RUN's network: `build --network host`, or `RUN --network=host` in a build that allows it
* (`--allow network.host`, BuildKit's entitlement: a Dockerfile is untrusted and may not opt
* itself into the host's network), share the host's; anything else is a network namespace with
* only a loopback. BuildKit's default is a bridged network; with no bridge here, isolation wins
* over reaching the internet (docs/containers.md).
*/
function runNetwork(step, build, allowHost) {
	if (step === "host" && !allowHost && build !== "host") throw new Error("network.host is not allowed");
	return (step === "default" ? build ?? "none" : step) === "host" ? "host" : "none";
}
/**
* A `#!` heredoc runs as a script file. BuildKit mounts it at /dev/pipes, but the sandbox mounts
* a fresh /dev, so it is written at the top of the writable layer instead and removed before the
* diff. Returns the argv to run and the directory to remove.
*/
function writePipeFile(upperDir, pipe) {
	const top = ".strata-heredoc";
	const name = pipe.path.slice(pipe.path.lastIndexOf("/") + 1);
	mkdirSync(join(upperDir, top), { recursive: true });
	writeFileSync(join(upperDir, top, name), pipe.data, { mode: 493 });
	return {
		args: [`/${top}/${name}`],
		top
	};
}
var RunFailedError;
var init_run = __esmMin((() => {
	init_sandbox();
	init_snapshotter();
	init_changes();
	init_instructions();
	init_errors$2();
	init_owner();
	RunFailedError = class extends StrataError {
		exitCode;
		constructor(args, exitCode) {
			super("invalid", `process "${args.join(" ")}" did not complete successfully: exit code: ${exitCode}`, { details: { exitCode } });
			this.exitCode = exitCode;
		}
	};
}));
// src/main/engine/build/build-error.ts
function toBuildError(err) {
	if (err instanceof BuildError) return err;
	if (err instanceof DockerfileParseError) return new BuildError(err.message, err.startLine, void 0, err);
	return new BuildError(err.message ?? String(err), void 0, void 0, err);
}
/** A plain Error inside a build is the Dockerfile's fault more often than the engine's. */
function codeOfCause(cause) {
	const code = errorCode(cause);
	return code === "internal" && !(cause instanceof StrataError) ? "invalid" : code;
}
function located(err, line) {
	if (err instanceof BuildError) return err.line ? err : new BuildError(err.message, line, err.exitCode, err);
	if (err instanceof RunFailedError) return new BuildError(err.message, line, err.exitCode, err);
	if (err instanceof DockerfileParseError) return new BuildError(err.message, err.startLine, void 0, err);
	return new BuildError(err.message ?? String(err), line, void 0, err);
}
var BuildError;
var init_build_error = __esmMin((() => {
	init_errors$2();
	init_parser();
	init_run();
	BuildError = class extends StrataError {
		line;
		exitCode;
		constructor(message, line, exitCode, cause) {
			super(cause === void 0 ? "invalid" : codeOfCause(cause), message, {
				cause,
				...line !== void 0 || exitCode !== void 0 ? { details: {
					...line !== void 0 ? { line } : {},
					...exitCode !== void 0 ? { exitCode } : {}
				} } : {}
			});
			this.line = line;
			this.exitCode = exitCode;
		}
	};
}));
// src/main/engine/build/image-view.ts
/**
* A read-only view of an image's merged filesystem, computed from the layers' file indexes (no
* unpacking): what exists at a path, following symlinks inside the image, and extraction of a
* few files (for `/etc/passwd` lookups and `COPY --from`) by streaming only the layers that hold them.
*/
function stripSlashes(p) {
	return p.replace(/^\/+/, "").replace(/\/+$/, "");
}
/** Orders paths so that a directory comes right before its contents (component-wise). */
function comparePaths(a, b) {
	const pa = a.split("/");
	const pb = b.split("/");
	for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
	return pa.length - pb.length;
}
/**
* Streams one layer's tar and writes out the entries named in `paths`: regular files (created
* new, never through a link) and the device numbers of device nodes (kept in `meta` only).
*/
async function extractFromLayer(engine, diffId, paths, destDir, metaOf, tracker) {
	const row = engine.db.prepare("SELECT blob_digest, compression FROM layer_blobs WHERE diff_id = ? LIMIT 1").get(diffId);
	if (!row) throw new StrataError("data-loss", `layer ${diffId} is missing from the store`);
	const extract = tar.extract();
	const feeding = pipeline(engine.content.read(row.blob_digest), decompressor(row.compression), extract);
	feeding.catch(() => {});
	for await (const entry of extract) {
		const header = entry.header;
		const name = cleanEntryPath(header.name);
		const base = name.slice(name.lastIndexOf("/") + 1);
		if (!paths.has(name) || base.startsWith(".wh.") || base === ".wh..wh..opq") {
			entry.resume();
			continue;
		}
		if (header.type === "character-device" || header.type === "block-device") {
			const m = metaOf(name);
			if (m) Object.assign(m, {
				devmajor: header.devmajor ?? 0,
				devminor: header.devminor ?? 0
			});
			entry.resume();
			continue;
		}
		if (header.type !== "file" && header.type !== "contiguous-file") {
			entry.resume();
			continue;
		}
		tracker.checkParents(name, header.name);
		const abs = join(destDir, name);
		mkdirSync(dirname(abs), { recursive: true });
		rmSync(abs, { force: true });
		await pipeline(entry, createWriteStream("", { fd: openSync(abs, NEW_FILE, 384) }));
	}
	await feeding;
}
var ImageView, SOURCE_TYPES;
var init_image_view = __esmMin((() => {
	init_layer_ingest();
	init_tar_safety();
	init_file_index();
	init_context_file();
	init_errors$2();
	ImageView = class ImageView {
		entries = /* @__PURE__ */ new Map();
		constructor() {}
		/** Builds the merged view of `diffIds` (bottom first), applying whiteouts and opaque directories. */
		static of(engine, diffIds) {
			const view = new ImageView();
			for (const diffId of diffIds) view.apply(diffId, engine.images.layerFiles(diffId));
			return view;
		}
		/** Adds one more layer on top (its index as the builder wrote it). */
		apply(diffId, files) {
			for (const f of files) if (f.type === "opaque") this.removeBelow(f.path, false);
			else if (f.type === "whiteout") this.removeBelow(f.path, true);
			for (const f of files) {
				if (f.type === "opaque" || f.type === "whiteout") continue;
				if (f.type !== "dir" && this.entries.get(f.path)?.type === "dir") this.removeBelow(f.path, false);
				this.entries.set(f.path, {
					...f,
					diffId
				});
			}
		}
		removeBelow(path, self) {
			if (self) this.entries.delete(path);
			const prefix = path === "" ? "" : `${path}/`;
			for (const k of [...this.entries.keys()]) if (k.startsWith(prefix) && k !== path) this.entries.delete(k);
		}
		get(path) {
			return this.entries.get(stripSlashes(path));
		}
		/**
		* Resolves symlinks in every component of an absolute image path, scoped to the image root
		* (`..` never leaves it). The last component is followed only when `followLast`.
		*/
		resolve(path, followLast = true) {
			let parts = stripSlashes(posix.normalize(`/${path}`)).split("/").filter(Boolean);
			let out = [];
			let hops = 0;
			for (let i = 0; i < parts.length; i++) {
				const cur = [...out, parts[i]].join("/");
				const e = this.entries.get(cur);
				const last = i === parts.length - 1;
				if (e?.type === "symlink" && (!last || followLast)) {
					if (++hops > 40) throw new StrataError("invalid", `too many levels of symbolic links: ${path}`);
					const target = e.linkTarget.startsWith("/") ? e.linkTarget : `/${[...out, e.linkTarget].join("/")}`;
					parts = [...stripSlashes(posix.normalize(target)).split("/").filter(Boolean), ...parts.slice(i + 1)];
					out = [];
					i = -1;
					continue;
				}
				out.push(parts[i]);
			}
			return `/${out.join("/")}`;
		}
		isDir(path) {
			const p = stripSlashes(this.resolve(path));
			return p === "" || this.entries.get(p)?.type === "dir";
		}
		/** Entries at and below `path` (image-relative, no leading slash), sorted. */
		subtree(path) {
			const p = stripSlashes(path);
			const prefix = p === "" ? "" : `${p}/`;
			const out = [];
			for (const [k, e] of this.entries) if (k === p || k.startsWith(prefix)) out.push(e);
			return out.sort((a, b) => comparePaths(a.path, b.path));
		}
		/**
		* Extracts the given entries into `destDir` (files keep their content and mode; ownership is
		* reported through the returned metadata, since a rootless process cannot chown).
		*/
		async extract(engine, wanted, destDir) {
			const meta = /* @__PURE__ */ new Map();
			const byLayer = /* @__PURE__ */ new Map();
			const want = (e) => {
				const set = byLayer.get(e.diffId) ?? /* @__PURE__ */ new Set();
				set.add(e.path);
				byLayer.set(e.diffId, set);
			};
			const hardlinks = [];
			const tracker = new LayerPathTracker();
			for (const e of wanted) {
				if (e.type === "hardlink") {
					hardlinks.push(e);
					continue;
				}
				const type = SOURCE_TYPES[e.type];
				if (!type) continue;
				meta.set(e.path, {
					type,
					mode: e.mode & 4095,
					uid: e.uid,
					gid: e.gid,
					size: e.size,
					linkTarget: e.type === "symlink" ? e.linkTarget : ""
				});
				tracker.checkParents(e.path, e.path);
				tracker.record(e.path, e.type === "symlink");
				const abs = join(destDir, e.path);
				if (e.type === "dir") mkdirSync(abs, { recursive: true });
				else if (e.type === "symlink") {
					mkdirSync(dirname(abs), { recursive: true });
					symlinkSync(e.linkTarget, abs);
				} else want(e);
			}
			const targets = /* @__PURE__ */ new Map();
			const links = hardlinks.map((h) => ({
				h,
				target: this.entries.get(stripSlashes(h.linkTarget))
			}));
			for (const { target } of links) {
				const type = target && SOURCE_TYPES[target.type];
				if (!target || !type || type === "dir" || type === "symlink" || meta.has(target.path)) continue;
				targets.set(target.path, {
					type,
					mode: target.mode & 4095,
					uid: target.uid,
					gid: target.gid,
					size: target.size,
					linkTarget: ""
				});
				want(target);
			}
			const metaOf = (p) => meta.get(p) ?? targets.get(p);
			for (const [diffId, paths] of byLayer) await extractFromLayer(engine, diffId, paths, destDir, metaOf, tracker);
			for (const { h, target } of links) this.copyHardlink(h, target, destDir, metaOf, meta, tracker);
			return meta;
		}
		/** A hardlink becomes a copy of what it links to: a file's content, a symlink's target. */
		copyHardlink(h, target, destDir, metaOf, meta, tracker) {
			if (!target || target.type === "dir") throw new Error(`hardlink target not found: ${h.path} -> ${h.linkTarget}`);
			tracker.checkParents(h.path, h.path);
			const abs = join(destDir, h.path);
			mkdirSync(dirname(abs), { recursive: true });
			const own = {
				mode: h.mode & 4095,
				uid: h.uid,
				gid: h.gid
			};
			if (target.type === "symlink") {
				symlinkSync(target.linkTarget, abs);
				tracker.record(h.path, true);
				meta.set(h.path, {
					...own,
					type: "symlink",
					size: 0,
					linkTarget: target.linkTarget
				});
				return;
			}
			const from = metaOf(target.path);
			if (!from) throw new Error(`hardlink target not found: ${h.path} -> ${h.linkTarget}`);
			if (from.type === "file") copyFileSync(join(destDir, target.path), abs, constants.COPYFILE_EXCL);
			meta.set(h.path, {
				...from,
				...own
			});
		}
	};
	SOURCE_TYPES = {
		file: "file",
		dir: "dir",
		symlink: "symlink",
		fifo: "fifo",
		char: "char",
		block: "block"
	};
}));
// src/main/engine/build/dispatch/state.ts
function emit(run, e) {
	run.opt.opts.onEvent?.(e);
}
function nowIso(run) {
	return new Date(run.opt.epoch !== void 0 ? run.opt.epoch * 1e3 : Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
}
function stepName(state, text) {
	const width = String(state.total).length;
	return `[${state.display ? `${state.display} ` : ""}${String(state.position).padStart(width)}/${state.total}] ${text}`;
}
/** The merged filesystem view of a state, brought up to date with the layers added since. */
function viewOf(run, state) {
	if (!state.private.view) state.private.view = ImageView.of(run.opt.engine, []);
	for (const p of state.private.pending.splice(0)) state.private.view.apply(p.diffId, p.files ?? run.opt.engine.images.layerFiles(p.diffId));
	return state.private.view;
}
function addLayer(state, layer, files) {
	state.layers.push(layer);
	state.private.pending.push({
		diffId: layer.diffId,
		files
	});
}
function setEnv$1(list, key, value) {
	const i = list.findIndex((e) => (e.includes("=") ? e.slice(0, e.indexOf("=")) : e) === key);
	const entry = `${key}=${value}`;
	if (i >= 0) list[i] = entry;
	else list.push(entry);
	return list;
}
function scopeArgs(state) {
	const out = {};
	for (const a of state.buildArgs) out[a.key] = envValue(state.env, a.key) ?? a.value ?? "";
	return out;
}
function envValue(list, key) {
	for (let i = list.length - 1; i >= 0; i--) {
		const e = list[i];
		const eq = e.indexOf("=");
		if ((eq < 0 ? e : e.slice(0, eq)) === key) return eq < 0 ? "" : e.slice(eq + 1);
	}
}
function pushHistory(state, entry, created, forceEmpty) {
	const item = {
		created,
		created_by: entry.createdBy,
		comment: entry.comment || "buildkit.dockerfile.v0"
	};
	if (entry.emptyLayer || forceEmpty) item.empty_layer = true;
	(state.config.history ??= []).push(item);
	state.newTimes.push(created);
}
function recordStep(run, state, n, instruction, line, s) {
	const rec = {
		n,
		stage: state.display,
		position: state.position,
		total: state.total,
		instruction,
		line,
		selfChanged: s.selfChanged ?? false,
		...s
	};
	run.progress.steps.push(rec);
	run.opt.history.step(run.opt.buildId, rec);
}
function cfg(state) {
	return state.config.config ??= {};
}
function withDefaultPath(env) {
	return envValue(env, "PATH") === void 0 ? [DEFAULT_PATH, ...env] : [...env];
}
var DEFAULT_PATH;
var init_state = __esmMin((() => {
	init_instructions();
	init_image_view();
	DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}));
// src/main/engine/build/shell/index.ts
var init_shell = __esmMin((() => {
	init_lex();
	init_goquote();
}));
// src/main/engine/build/frontend.ts
var init_frontend = __esmMin((() => {
	init_parser();
	init_instructions();
	init_shell();
	init_dockerignore();
}));
// src/main/engine/image/config-changes.ts
function isConfigInstruction(cmd) {
	return CONFIG_KINDS.has(cmd.kind);
}
/** Checks what the dispatcher checks before changing anything; throws a one-line Error. */
function validateConfigInstruction(cmd) {
	switch (cmd.kind) {
		case "volume":
			for (const v of cmd.volumes) if (v === "") throw new StrataError("invalid", "VOLUME specified can not be an empty string");
			break;
		case "stopsignal":
			checkSignal(cmd.signal);
			break;
		case "expose": parseExposedPorts(cmd.ports);
	}
}
/** The working directory WORKDIR `path` leads to from the config's current one. */
function resolveWorkdir(config, path) {
	return normalizeWorkdir(config.WorkingDir || "/", path);
}
/** Applies one expanded instruction to `config` in place, as docker's dispatcher does. */
function applyConfigInstruction(config, cmd, scope, dialect = "buildkit") {
	validateConfigInstruction(cmd);
	switch (cmd.kind) {
		case "env":
			for (const kv of cmd.env) config.Env = setEnv(config.Env ?? [], kv.key, kv.value);
			break;
		case "label": {
			const labels = config.Labels ??= {};
			for (const kv of cmd.labels) labels[kv.key] = kv.value;
			break;
		}
		case "cmd":
			config.Cmd = cmd.cmdLine?.length || dialect === "buildkit" ? commandArgs(config, cmd) : [];
			if (dialect === "buildkit") config.ArgsEscaped = true;
			scope.cmdSet = true;
			break;
		case "entrypoint":
			config.Entrypoint = cmd.cmdLine === null ? null : commandArgs(config, cmd);
			if (!scope.cmdSet) config.Cmd = null;
			break;
		case "healthcheck":
			config.Healthcheck = healthConfig(cmd.health);
			break;
		case "expose": {
			const ports = config.ExposedPorts ??= {};
			for (const p of parseExposedPorts(cmd.ports)) ports[p] = {};
			break;
		}
		case "user":
			config.User = cmd.user;
			break;
		case "volume": {
			const volumes = config.Volumes ??= {};
			for (const v of cmd.volumes) volumes[v] = {};
			break;
		}
		case "stopsignal":
			config.StopSignal = cmd.signal;
			break;
		case "shell":
			config.Shell = cmd.shell;
			break;
		case "onbuild":
			config.OnBuild = [...config.OnBuild ?? [], cmd.expression];
			break;
		case "workdir": config.WorkingDir = resolveWorkdir(config, cmd.path);
	}
}
/**
* `import --change` / `commit --change`: moby's BuildFromConfig. The lines are parsed together by
* the Dockerfile parser, checked against validCommitCommands, then each is expanded against the
* config's Env so far and dispatched with the classic builder's rules.
*/
function applyConfigChanges(base, changes) {
	const commands = parseChanges(changes);
	const config = structuredClone(base);
	const scope = {};
	for (const { cmd, escapeToken } of commands) try {
		applyConfigInstruction(config, expandInstruction(cmd, config.Env ?? [], { escapeToken }), scope, "classic");
	} catch (err) {
		throw changeError(err);
	}
	return config;
}
/** Every change typed before any is applied, so a bad line changes nothing. */
function parseChanges(changes) {
	if (changes.every((c) => c.trim() === "")) return [];
	try {
		const result = parse(changes.join("\n"));
		for (const node of result.children) {
			const name = node.keyword.toLowerCase();
			if (KNOWN.has(name) && !CHANGE_COMMANDS.has(name)) throw new ChangeError(`${name} is not a valid change command`);
		}
		return result.children.map((node) => ({
			cmd: parseCommand(node),
			escapeToken: result.escapeToken
		}));
	} catch (err) {
		throw changeError(err);
	}
}
function changeError(err) {
	if (err instanceof ChangeError) return err;
	if (err instanceof DockerfileParseError) return new ChangeError(err.reason);
	return new ChangeError(err instanceof Error ? err.message : String(err));
}
function setEnv(list, key, value) {
	const out = [...list];
	const i = out.findIndex((e) => (e.includes("=") ? e.slice(0, e.indexOf("=")) : e) === key);
	if (i >= 0) out[i] = `${key}=${value}`;
	else out.push(`${key}=${value}`);
	return out;
}
/** Exec form as given; shell form through the config's SHELL (default `/bin/sh -c`). */
function commandArgs(config, cmd) {
	const args = cmd.cmdLine ?? [];
	if (!cmd.prependShell) return args;
	return [...config.Shell?.length ? config.Shell : ["/bin/sh", "-c"], args.join(" ")];
}
/** docker's HealthConfig JSON: durations and retries left out when zero (inherit the default). */
function healthConfig(h) {
	return {
		Test: h.test,
		...h.interval ? { Interval: h.interval } : {},
		...h.timeout ? { Timeout: h.timeout } : {},
		...h.startPeriod ? { StartPeriod: h.startPeriod } : {},
		...h.startInterval ? { StartInterval: h.startInterval } : {},
		...h.retries ? { Retries: h.retries } : {}
	};
}
function checkSignal(sig) {
	if (/^\d+$/.test(sig)) {
		if (Number(sig) === 0) throw new StrataError("invalid", `invalid signal: ${sig}`);
		return;
	}
	const name = sig.toUpperCase().replace(/^SIG/, "");
	if (!SIGNALS.has(name) && !/^RTM(IN|AX)[+-]\d+$/.test(name)) throw new StrataError("invalid", `invalid signal: ${sig}`);
}
var CONFIG_KINDS, CHANGE_COMMANDS, KNOWN, ChangeError, SIGNALS;
var init_config_changes = __esmMin((() => {
	init_frontend();
	init_errors$2();
	CONFIG_KINDS = /* @__PURE__ */ new Set([
		"env",
		"label",
		"cmd",
		"entrypoint",
		"healthcheck",
		"expose",
		"user",
		"volume",
		"stopsignal",
		"shell",
		"onbuild",
		"workdir"
	]);
	CHANGE_COMMANDS = /* @__PURE__ */ new Set([
		"cmd",
		"entrypoint",
		"healthcheck",
		"env",
		"expose",
		"label",
		"onbuild",
		"stopsignal",
		"user",
		"volume",
		"workdir"
	]);
	KNOWN = new Set(instructionNames.map((n) => n.toLowerCase()));
	ChangeError = class extends StrataError {
		constructor(message) {
			super("invalid", message);
		}
	};
	SIGNALS = /* @__PURE__ */ new Set([
		"ABRT",
		"ALRM",
		"BUS",
		"CHLD",
		"CLD",
		"CONT",
		"FPE",
		"HUP",
		"ILL",
		"INT",
		"IO",
		"IOT",
		"KILL",
		"PIPE",
		"POLL",
		"PROF",
		"PWR",
		"QUIT",
		"SEGV",
		"STKFLT",
		"STOP",
		"SYS",
		"TERM",
		"TRAP",
		"TSTP",
		"TTIN",
		"TTOU",
		"UNUSED",
		"URG",
		"USR1",
		"USR2",
		"VTALRM",
		"WINCH",
		"XCPU",
		"XFSZ",
		"RTMIN",
		"RTMAX"
	]);
}));
// src/main/engine/build/add-archive.ts
/**
* ADD of a local archive: recognised by its first bytes, unpacked into a scratch directory of the
* build, then copied like a directory. The tar is untrusted: every entry goes through the same
* checks as a layer tar (`checkLayerEntry`: no absolute or `..` names, nothing written through a
* symlink of the archive, hardlinks only to earlier entries), and the writes themselves never
* follow a link: whatever is at a path is removed first, files are created O_EXCL | O_NOFOLLOW,
* hardlinks are made with link(2), which does not follow. Ownership, modes and device numbers
* stay in the returned metadata (a rootless builder cannot chown or mknod); FIFOs and devices
* are never created on disk.
*/
/** Recognises a local archive ADD unpacks, by its first bytes (undefined for anything else). */
function archiveKind(path) {
	let head;
	try {
		const f = openRegularFile(path);
		try {
			head = readHead(f.fd, 512);
		} finally {
			closeSync(f.fd);
		}
	} catch {
		return;
	}
	return kindOf(head);
}
function kindOf(h) {
	if (h.length >= 3 && h[0] === 31 && h[1] === 139) return "gzip";
	if (h.length >= 3 && h.toString("latin1", 0, 3) === "BZh") return "bzip2";
	if (h.length >= 6 && h[0] === 253 && h.toString("latin1", 1, 5) === "7zXZ") return "xz";
	if (h.length >= 4 && h.readUInt32LE(0) === 4247762216) return "zstd";
	if (h.length >= 262 && h.toString("latin1", 257, 262) === "ustar") return "tar";
}
/**
* The decompressed tar stream of an opened archive (bzip2 and xz through the host tools, reading
* the descriptor as their stdin). Takes ownership of the descriptor.
*/
function tarStream(f, kind) {
	if (kind === "bzip2" || kind === "xz") {
		const tool = kind === "bzip2" ? "bzip2" : "xz";
		let child;
		try {
			child = spawn(tool, ["-dc"], { stdio: [
				f.fd,
				"pipe",
				"pipe"
			] });
		} finally {
			closeSync(f.fd);
		}
		let stderr = "";
		child.stderr.on("data", (d) => stderr += d.toString());
		const done = new Promise((resolve, reject) => {
			child.on("error", (err) => reject(/* @__PURE__ */ new Error(`cannot unpack ${kind} archive: ${tool} is not available (${err.message})`)));
			child.on("close", (code, signal) => code === 0 ? resolve() : reject(/* @__PURE__ */ new Error(`cannot unpack ${kind} archive: ${stderr.trim() || `${tool} exit ${code ?? signal}`}`)));
		});
		return {
			stream: child.stdout,
			done,
			stop: () => child.kill("SIGKILL")
		};
	}
	const dec = kind === "gzip" ? zlib.createGunzip() : kind === "zstd" ? zlib.createZstdDecompress() : new PassThrough();
	const file = streamOpened(f);
	return {
		stream: dec,
		done: pipeline(file, dec),
		stop: () => file.destroy()
	};
}
/**
* Unpacks the archive at `file` (a regular file, checked by its descriptor) into the empty
* directory `out`. A hostile entry fails the step with one line naming the archive.
*/
async function extractArchive(file, out, label) {
	const opened = openRegularFile(file, label);
	let kind;
	try {
		kind = kindOf(readHead(opened.fd, 512));
		if (!kind) throw new StrataError("invalid", `${label}: not an archive`);
		mkdirSync(out, { recursive: true });
	} catch (err) {
		closeSync(opened.fd);
		throw err;
	}
	const source = tarStream(opened, kind);
	const extract = tar.extract();
	const feeding = pipeline(source.stream, extract);
	feeding.catch(() => {});
	source.done.catch(() => {});
	const unpacker = new ArchiveUnpacker(out);
	try {
		for await (const entry of extract) await unpacker.add(entry);
		await Promise.all([feeding, source.done]);
	} catch (err) {
		source.stop();
		extract.destroy();
		if (err instanceof HostileArchiveError) throw new StrataError("data-loss", `failed to unpack ${label}: ${err.message}`, { cause: err });
		if (err.code === "ENAMETOOLONG") {
			const name = unpacker.current.length > 80 ? `${unpacker.current.slice(0, 80)}…` : unpacker.current;
			throw new StrataError("invalid", `failed to unpack ${label}: path too long for this filesystem: ${name}`, { cause: err });
		}
		throw err;
	}
	return {
		root: out,
		meta: unpacker.meta,
		label: "archive"
	};
}
function checkedTarget(linkname) {
	return linkname.split("/").filter((p) => p && p !== ".").join("/");
}
/** Creates a new file (never opening an existing one or a link) and streams the entry into it. */
async function writeNewFile(abs, entry) {
	await pipeline(entry, createWriteStream("", { fd: openSync(abs, NEW_FILE, 384) }));
}
var DEVICE_TYPES, ArchiveUnpacker;
var init_add_archive = __esmMin((() => {
	init_errors$2();
	init_tar_safety();
	init_context_file();
	DEVICE_TYPES = {
		"character-device": "char",
		"block-device": "block",
		fifo: "fifo"
	};
	ArchiveUnpacker = class {
		meta = /* @__PURE__ */ new Map();
		tracker = new LayerPathTracker();
		out;
		constructor(out) {
			this.out = out;
		}
		/** The name of the entry being written (for errors). */
		current = "";
		async add(entry) {
			const header = entry.header;
			this.current = header.name;
			const rel = checkLayerEntry(header, this.tracker);
			if (rel === "") {
				entry.resume();
				return;
			}
			this.ensureParents(rel);
			const abs = join(this.out, rel);
			const base = {
				mode: (header.mode ?? 420) & 4095,
				uid: header.uid ?? 0,
				gid: header.gid ?? 0,
				size: 0,
				linkTarget: ""
			};
			switch (header.type) {
				case "directory":
					if (this.meta.get(rel)?.type !== "dir") {
						this.replace(rel);
						mkdirSync(abs);
					}
					this.meta.set(rel, {
						...base,
						type: "dir"
					});
					entry.resume();
					return;
				case "file":
				case "contiguous-file":
					this.replace(rel);
					await writeNewFile(abs, entry);
					this.meta.set(rel, {
						...base,
						type: "file",
						size: header.size ?? 0
					});
					return;
				case "symlink":
					this.replace(rel);
					symlinkSync(header.linkname ?? "", abs);
					this.meta.set(rel, {
						...base,
						type: "symlink",
						linkTarget: header.linkname ?? ""
					});
					entry.resume();
					return;
				case "link":
					this.link(rel, header);
					entry.resume();
					return;
				default: {
					const type = DEVICE_TYPES[header.type ?? ""];
					if (type) {
						this.replace(rel);
						this.meta.set(rel, {
							...base,
							type,
							devmajor: header.devmajor ?? 0,
							devminor: header.devminor ?? 0
						});
					}
					entry.resume();
				}
			}
		}
		/** A hardlink to an earlier entry: link(2) links the entry itself, a symlink stays a symlink. */
		link(rel, header) {
			const target = checkedTarget(header.linkname ?? "");
			const src = this.meta.get(target);
			if (!src || src.type === "dir") throw new HostileArchiveError(`hardlink target not found: ${header.name} -> ${header.linkname}`);
			this.replace(rel);
			if (src.type === "file" || src.type === "symlink") linkSync(join(this.out, target), join(this.out, rel));
			this.meta.set(rel, { ...src });
		}
		/** Parents the archive did not list are created 0755 root (never through a link: see checkParents). */
		ensureParents(rel) {
			const missing = [];
			for (let p = dirname(rel); p !== "." && this.meta.get(p)?.type !== "dir"; p = dirname(p)) missing.unshift(p);
			for (const p of missing) {
				this.replace(p);
				mkdirSync(join(this.out, p));
				this.meta.set(p, {
					type: "dir",
					mode: 493,
					uid: 0,
					gid: 0,
					size: 0,
					linkTarget: ""
				});
			}
		}
		/** Removes whatever an earlier entry left at `rel` (and its metadata, with its children's). */
		replace(rel) {
			if (!this.meta.has(rel)) return;
			const prefix = `${rel}/`;
			for (const k of [...this.meta.keys()]) if (k === rel || k.startsWith(prefix)) this.meta.delete(k);
			try {
				lstatSync(join(this.out, rel));
			} catch {
				return;
			}
			rmSync(join(this.out, rel), {
				recursive: true,
				force: true
			});
		}
	};
}));
// src/main/engine/build/copy.ts
/**
* COPY and ADD: which files land where (BuildKit's rules: globs, directory contents, destination
* rules, ownership, modes, local tar auto-extraction), and the deterministic layer tar they become.
*
* Determinism: every layer the builder writes itself lists its entries in path order with
* directories first, carries no user/group names, and stamps every copied or created entry with
* the same mtime — `SOURCE_DATE_EPOCH` when set, else 0 (1970-01-01). Parent directories that
* already exist keep their metadata from the image. Identical inputs therefore give identical
* layer digests on any machine and in any store.
*/
/** BuildKit's pathRelativeToWorkingDir: absolute or joined to WORKDIR; a trailing slash is kept. */
function resolveDest(dest, workdir) {
	const p = dest === "." || dest === "" ? "./" : dest;
	const joined = p.startsWith("/") ? p : posix.join(workdir || "/", p);
	const norm = posix.normalize(joined);
	return (p.endsWith("/") || p.endsWith("/.") || p === ".") && !norm.endsWith("/") ? `${norm}/` : norm;
}
function isUrl(src) {
	return /^https?:\/\//.test(src);
}
/** Plans a COPY/ADD: the entries of its layer and the checksum of what it read. */
async function planCopy(spec) {
	const dest = resolveDest(spec.dest, spec.workdir);
	const planned = /* @__PURE__ */ new Map();
	const checksumParts = [];
	const files = {};
	const matches = [];
	for (const src of spec.sources) {
		if (isUrl(src)) {
			if (!spec.isAdd) throw new StrataError("invalid", "source can't be a URL for COPY");
			const tree = await download(src, spec.scratchDir, spec.signal);
			matches.push({
				tree,
				rel: tree.label,
				url: src
			});
			continue;
		}
		for (const rel of matchSources(spec.tree, src)) matches.push({
			tree: spec.tree,
			rel
		});
	}
	const destIsDir = dest.endsWith("/") || spec.view.isDir(dest) || matches.length > 1;
	if (spec.sources.length > 1 && !dest.endsWith("/") && !spec.view.isDir(dest)) throw new StrataError("invalid", `When using ${spec.isAdd ? "ADD" : "COPY"} with more than one source file, the destination must be a directory and end with a /`);
	const destDir = stripSlashes(spec.view.resolve(dest));
	let archiveCount = 0;
	for (const m of matches) {
		if (spec.signal?.aborted) throw new StrataError("canceled", "build cancelled");
		const followed = followSource(m.tree, m.rel);
		const meta = statSource(m.tree, followed);
		const walk = walkSource(m.tree, followed);
		const sum = await sourceChecksum(m.tree, walk, spec.digests);
		checksumParts.push(`${m.url ?? m.rel}\0${sum.digest}`);
		for (const [k, v] of Object.entries(sum.files)) files[m.url ? m.url : k] = v;
		if (meta.type === "dir") addTree(planned, spec, m.tree, walk, destDir, true);
		else if (spec.isAdd && !m.url && meta.type === "file" && archiveKind(hostPath(m.tree, followed)) !== void 0) {
			const out = join(spec.scratchDir, `archive-${archiveCount++}`);
			const tree = await extractArchive(hostPath(m.tree, followed), out, m.rel);
			addTree(planned, spec, tree, walkSource(tree, "."), destDir, false);
		} else {
			const base = m.rel.slice(m.rel.lastIndexOf("/") + 1);
			addEntry(planned, spec, destIsDir ? posix.join(destDir, base) : stripSlashes(spec.view.resolve(dest, false)), meta, hostPath(m.tree, followed), true);
		}
	}
	addParents(planned, spec);
	return {
		entries: [...planned.values()].sort((a, b) => comparePaths(a.path, b.path)),
		checksum: `sha256:${createDigest(checksumParts.join("\n"))}`,
		files
	};
}
function createDigest(s) {
	return createHash("sha256").update(s).digest("hex");
}
/** Copies a directory's contents (or an extracted archive) into `destDir`. */
function addTree(planned, spec, tree, walk, destDir, includeRoot) {
	for (const e of walk) {
		const target = e.rel === "" ? destDir : destDir === "" ? e.rel : `${destDir}/${e.rel}`;
		if (e.rel === "") {
			if (!includeRoot || target === "" || spec.view.get(target)?.type === "dir") continue;
		}
		addEntry(planned, spec, target, e.meta, hostPath(tree, e.treePath), e.rel !== "" || includeRoot);
	}
}
function addEntry(planned, spec, target, meta, host, applyChmod) {
	if (target === "") return;
	const owner = spec.chown ?? {
		uid: meta.uid,
		gid: meta.gid
	};
	const mode = applyChmod && spec.chmod !== void 0 && meta.type !== "symlink" ? spec.chmod : meta.mode;
	planned.set(target, {
		path: target,
		type: meta.type,
		mode: meta.type === "symlink" ? 511 : mode,
		uid: owner.uid,
		gid: owner.gid,
		mtime: spec.epoch,
		linkTarget: meta.linkTarget,
		...meta.type === "file" ? { source: host } : {},
		...meta.devmajor !== void 0 ? {
			devmajor: meta.devmajor,
			devminor: meta.devminor ?? 0
		} : {}
	});
}
/**
* Every parent directory of a copied entry appears in the layer (as containerd's diff writes
* them): existing ones with their metadata from the image, new ones 0755 owned by the chown user.
*/
function addParents(planned, spec) {
	for (const e of [...planned.values()]) {
		let p = dirname(e.path);
		while (p !== "." && p !== "/" && p !== "" && !planned.has(p)) {
			const existing = spec.view.get(p);
			if (existing?.type === "dir") planned.set(p, {
				path: p,
				type: "dir",
				mode: existing.mode & 4095,
				uid: existing.uid,
				gid: existing.gid,
				mtime: existing.mtime,
				linkTarget: ""
			});
			else planned.set(p, {
				path: p,
				type: "dir",
				mode: 493,
				uid: spec.chown?.uid ?? 0,
				gid: spec.chown?.gid ?? 0,
				mtime: spec.epoch,
				linkTarget: ""
			});
			p = dirname(p);
		}
	}
}
/** ADD <url>: fetched to a file named after the URL's last path segment (mode 0600, never unpacked). */
async function download(url, scratchDir, signal) {
	let name = "__unnamed__";
	try {
		const base = posix.basename(new URL(url).pathname);
		if (base && base !== "/" && base !== ".") name = base;
	} catch {
		throw new StrataError("invalid", `ADD ${url}: invalid URL`);
	}
	const dir = join(scratchDir, `download-${Date.now()}`);
	mkdirSync(dir, { recursive: true });
	const timeout = AbortSignal.timeout(3e4);
	let res;
	try {
		res = await fetch(url, {
			signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
			redirect: "follow"
		});
	} catch (err) {
		const cause = err.cause;
		throw new StrataError("unavailable", `ADD ${url}: cannot download the URL (offline or unreachable): ${cause?.code ?? cause?.message ?? err.message}`);
	}
	if (!res.ok || !res.body) throw new StrataError("unavailable", `ADD ${url}: invalid response status ${res.status}`);
	await pipeline(Readable.fromWeb(res.body), createWriteStream(join(dir, name), { mode: 384 }));
	chmodSync(join(dir, name), 384);
	return {
		root: dir,
		meta: /* @__PURE__ */ new Map([[name, {
			type: "file",
			mode: 384,
			uid: 0,
			gid: 0,
			size: statSync(join(dir, name)).size,
			linkTarget: ""
		}]]),
		label: name
	};
}
/**
* One regular file into the layer: opened without following links, its size taken from the
* opened descriptor and exactly that many bytes streamed (a FIFO or a swapped-in link is refused).
*/
async function packFile(pack, header, source) {
	const f = openRegularFile(source);
	await new Promise((resolve, reject) => {
		const w = pack.entry({
			...header,
			type: "file",
			size: f.size
		}, (err) => err ? reject(err) : resolve());
		pipeline(streamOpened(f), w).catch(reject);
	});
}
/** Writes entries (already sorted) as a layer tar straight into the content store. */
async function writeLayer(engine, entries) {
	const pack = tar.pack();
	const producing = (async () => {
		for (const e of entries) {
			const header = {
				name: e.type === "dir" ? `${e.path}/` : e.path,
				mode: e.mode,
				uid: e.uid,
				gid: e.gid,
				uname: "",
				gname: "",
				mtime: /* @__PURE__ */ new Date(e.mtime * 1e3)
			};
			if (e.type === "dir") pack.entry({
				...header,
				type: "directory"
			});
			else if (e.type === "symlink") pack.entry({
				...header,
				type: "symlink",
				linkname: e.linkTarget
			});
			else if (e.type === "file") await packFile(pack, header, e.source);
			else pack.entry({
				...header,
				type: TAR_SPECIAL[e.type],
				devmajor: e.devmajor ?? 0,
				devminor: e.devminor ?? 0
			});
		}
		pack.finalize();
	})();
	producing.catch((err) => pack.destroy(err));
	const layer = await ingestLayer(engine.content, pack);
	await producing;
	return {
		blobDigest: layer.blob.digest,
		blobSize: layer.blob.size,
		compression: layer.compression,
		diffId: layer.diffId,
		size: layer.size,
		diffSize: layer.diffSize,
		files: layer.files
	};
}
var TAR_SPECIAL;
var init_copy$1 = __esmMin((() => {
	init_layer_ingest();
	init_context();
	init_image_view();
	init_add_archive();
	init_context_file();
	init_errors$2();
	TAR_SPECIAL = {
		fifo: "fifo",
		char: "character-device",
		block: "block-device"
	};
}));
// src/main/engine/build/users.ts
/**
* User and group names as an image knows them: `--chown`, `USER` and WORKDIR ownership resolve
* names through the image's own /etc/passwd and /etc/group, never the host's.
*/
async function readImageFile(engine, view, path, scratch) {
	const resolved = view.resolve(path).replace(/^\//, "");
	const entry = view.get(resolved);
	if (!entry || entry.type !== "file" && entry.type !== "hardlink") return void 0;
	const dir = mkdtempSync(join(scratch, "etc-"));
	try {
		await view.extract(engine, [entry], dir);
		return readFileSync(join(dir, resolved), "utf8");
	} finally {
		rmSync(dir, {
			recursive: true,
			force: true
		});
	}
}
function lookup$1(text, name) {
	for (const line of (text ?? "").split("\n")) {
		const f = line.split(":");
		if (f[0] === name) return f;
	}
}
/**
* Resolves `user[:group]` (names or IDs). Without a group, docker's rule applies: the user's
* primary group for a name found in passwd, else the same number as the UID.
*/
async function resolveOwner(engine, view, spec, scratch) {
	const colon = spec.indexOf(":");
	const user = colon < 0 ? spec : spec.slice(0, colon);
	const group = colon < 0 ? "" : spec.slice(colon + 1);
	let passwd;
	let uid;
	let primaryGid;
	if (NUMERIC.test(user)) uid = Number(user);
	else {
		passwd = await readImageFile(engine, view, "/etc/passwd", scratch);
		const entry = lookup$1(passwd, user);
		if (!entry) throw new StrataError("invalid", `unable to convert uid/gid chown string to host mapping: can't find uid for user ${user}: no such user: ${user}`);
		uid = Number(entry[2]);
		primaryGid = Number(entry[3]);
	}
	let gid;
	if (group === "") gid = colon < 0 ? primaryGid ?? uid : uid;
	else if (NUMERIC.test(group)) gid = Number(group);
	else {
		const entry = lookup$1(await readImageFile(engine, view, "/etc/group", scratch), group);
		if (!entry) throw new StrataError("invalid", `unable to convert uid/gid chown string to host mapping: can't find gid for group ${group}: no such group: ${group}`);
		gid = Number(entry[2]);
	}
	return {
		uid,
		gid
	};
}
var NUMERIC;
var init_users = __esmMin((() => {
	init_errors$2();
	NUMERIC = /^\d+$/;
}));
// src/main/engine/build/dispatch/convert-workdir.ts
function workdirStep(run, state, cmd, entry, base) {
	const wd = resolveWorkdir(cfg(state), cmd.path);
	const p = base(cmd, entry, () => {
		applyConfigInstruction(cfg(state), cmd, state.private);
	});
	if (wd === "/") return p;
	p.inputs.args = { USER: cfg(state).User ?? "" };
	p.execute = async () => {
		const view = viewOf(run, state);
		const target = stripSlashes(view.resolve(wd));
		if (view.get(target)?.type === "dir") {
			const empty = await writeLayer(run.opt.engine, []);
			return {
				layer: empty,
				files: empty.files
			};
		}
		const owner = cfg(state).User ? await resolveOwner(run.opt.engine, view, cfg(state).User, run.opt.scratch) : {
			uid: 0,
			gid: 0
		};
		const epoch = run.opt.epoch ?? 0;
		const entries = /* @__PURE__ */ new Map();
		for (let p2 = target; p2 !== "." && p2 !== ""; p2 = p2.includes("/") ? p2.slice(0, p2.lastIndexOf("/")) : "") {
			const existing = view.get(p2);
			entries.set(p2, existing?.type === "dir" ? {
				path: p2,
				type: "dir",
				mode: existing.mode & 4095,
				uid: existing.uid,
				gid: existing.gid,
				mtime: existing.mtime,
				linkTarget: ""
			} : {
				path: p2,
				type: "dir",
				mode: 493,
				uid: owner.uid,
				gid: owner.gid,
				mtime: epoch,
				linkTarget: ""
			});
		}
		const layer = await writeLayer(run.opt.engine, [...entries.values()].sort((a, b) => comparePaths(a.path, b.path)));
		return {
			layer,
			files: layer.files
		};
	};
	return p;
}
var init_convert_workdir = __esmMin((() => {
	init_copy$1();
	init_image_view();
	init_users();
	init_config_changes();
	init_state();
}));
// src/main/engine/build/dispatch/convert-copy.ts
/**
* COPY and ADD (BuildKit's convert_copy.go): sources from the context, a heredoc, another stage
* or a local image; ownership and mode; the content checksum that keys the cache.
*/
async function copyStep(run, state, cmd, entry, scope, chain) {
	if (cmd.kind === "copy" && cmd.parents) throw new StrataError("unsupported", "COPY --parents is not supported yet");
	if (cmd.excludePatterns.length > 0) throw new StrataError("unsupported", `${cmd.kind.toUpperCase()} --exclude is not supported yet`);
	if (cmd.kind === "add" && cmd.checksum) throw new StrataError("unsupported", "ADD --checksum is not supported yet");
	const view = viewOf(run, state);
	let tree = contextTree(run.opt.ctx);
	let from;
	let sources = cmd.sourcePaths;
	if (cmd.sourceContents.length > 0) {
		tree = heredocTree(join(run.opt.scratch, `heredoc-${run.progress.n}`), cmd.sourceContents);
		sources = cmd.sourceContents.map((c) => cleanSourcePath(c.path));
	} else if (cmd.kind === "copy" && cmd.from) {
		const src = await sourceFromStage(run, cmd.from, cmd.sourcePaths, chain);
		tree = src.tree;
		from = src.from;
	}
	const stepScratch = join(run.opt.scratch, `step-${run.progress.n}`);
	mkdirSync(stepScratch, { recursive: true });
	const chown = cmd.chown ? await resolveOwner(run.opt.engine, view, cmd.chown, run.opt.scratch) : void 0;
	const chmod = parseChmod(cmd.chmod);
	const plan = await planCopy({
		isAdd: cmd.kind === "add" && cmd.sourceContents.length === 0,
		sources,
		dest: cmd.destPath,
		workdir: cfg(state).WorkingDir || "/",
		tree,
		scratchDir: stepScratch,
		view,
		chown,
		chmod,
		epoch: run.opt.epoch ?? 0,
		signal: run.opt.opts.signal,
		digests: run.opt.digests
	});
	return {
		cmd,
		entry,
		inputs: {
			instruction: entry.createdBy,
			source: cmd.code,
			scope,
			checksum: plan.checksum,
			files: plan.files,
			args: chown ? { CHOWN: `${chown.uid}:${chown.gid}` } : {},
			...from ? { from } : {}
		},
		apply: () => {},
		execute: async () => {
			const layer = await writeLayer(run.opt.engine, plan.entries);
			return {
				layer,
				files: layer.files
			};
		}
	};
}
/**
* Heredoc sources (`COPY <<EOF /file`) become files of mode 0644, as BuildKit's Mkfile. The name
* comes from the Dockerfile: cleaned against `/` (as Mkfile's path is), so `<<../../x` is `x` in
* the scratch folder and never a path on the host.
*/
function heredocTree(dir, contents) {
	mkdirSync(dir, { recursive: true });
	const meta = /* @__PURE__ */ new Map();
	for (const c of contents) {
		const name = cleanSourcePath(c.path);
		if (name === ".") throw new StrataError("invalid", `invalid heredoc name: ${JSON.stringify(c.path)}`);
		for (let p = posix.dirname(name); p !== "." && !meta.has(p); p = posix.dirname(p)) meta.set(p, {
			type: "dir",
			mode: 493,
			uid: 0,
			gid: 0,
			size: 0,
			linkTarget: ""
		});
		mkdirSync(join(dir, posix.dirname(name)), { recursive: true });
		rmSync(join(dir, name), { force: true });
		const fd = openSync(join(dir, name), NEW_FILE, 420);
		try {
			writeFileSync(fd, c.data);
		} finally {
			closeSync(fd);
		}
		meta.set(name, {
			type: "file",
			mode: 420,
			uid: 0,
			gid: 0,
			size: Buffer.byteLength(c.data),
			linkTarget: ""
		});
	}
	return {
		root: dir,
		meta,
		label: "heredoc"
	};
}
function parseChmod(chmod) {
	if (!chmod) return void 0;
	if (!/^[0-7]+$/.test(chmod) || Number.parseInt(chmod, 8) > 4095) throw new StrataError("invalid", `invalid chmod parameter: '${chmod}'. it should be octal string and between 0 and 07777`);
	return Number.parseInt(chmod, 8);
}
/** `COPY --from`: a stage (name or index) or a local image; the named files are extracted to scratch. */
async function sourceFromStage(run, from, sources, chain) {
	let view;
	let label;
	let idx = findStage(run.opt.stages, from);
	if (idx < 0 && /^\d+$/.test(from) && Number(from) < run.opt.stages.length) idx = Number(from);
	if (idx >= 0) {
		if (chain.includes(idx)) throw new StrataError("invalid", `circular dependency detected on stage: ${from}`);
		view = viewOf(run, await run.opt.buildStage(idx, chain));
		label = `stage ${from}`;
	} else {
		const id = run.opt.engine.images.tryResolve(from);
		if (!id) throw new StrataError("not-found", `failed to resolve source metadata for ${from}: not found in the local store (pull or load it first)`);
		view = ImageView.of(run.opt.engine, run.opt.engine.images.layers(id).map((l) => l.diffId));
		label = id;
	}
	const meta = /* @__PURE__ */ new Map();
	for (const e of view.subtree("")) {
		const type = e.type === "hardlink" ? "file" : e.type === "whiteout" || e.type === "opaque" ? void 0 : e.type;
		if (!type) continue;
		meta.set(e.path, {
			type,
			mode: e.mode & 4095,
			uid: e.uid,
			gid: e.gid,
			size: e.size,
			linkTarget: e.type === "symlink" ? e.linkTarget : ""
		});
	}
	const root = join(run.opt.scratch, `from-${run.progress.n}`);
	mkdirSync(root, { recursive: true });
	const probe = {
		root,
		meta,
		label
	};
	const wanted = /* @__PURE__ */ new Set();
	for (const s of sources) for (const rel of matchSources(probe, s)) for (const w of walkSource(probe, followSource(probe, rel))) wanted.add(w.treePath);
	const entries = [...wanted].map((p) => view.get(p)).filter((e) => e !== void 0);
	for (const [path, m] of await view.extract(run.opt.engine, entries, root)) meta.set(path, m);
	return {
		tree: probe,
		from: label
	};
}
var init_convert_copy = __esmMin((() => {
	init_context_file();
	init_instructions();
	init_context();
	init_copy$1();
	init_image_view();
	init_users();
	init_errors$2();
	init_state();
}));
// src/main/engine/build/dispatch/convert-run.ts
async function runStep(run, state, cmd, entry, scope) {
	return {
		cmd,
		entry,
		apply: () => {},
		inputs: {
			instruction: entry.createdBy,
			source: cmd.code,
			args: scope,
			scope
		},
		execute: async () => {
			const n = run.progress.n;
			const layer = await runInSandbox(run.opt.engine, {
				layers: state.layers,
				cmd,
				shell: cfg(state).Shell?.length ? cfg(state).Shell : ["/bin/sh", "-c"],
				env: withDefaultPath(state.env),
				cwd: cfg(state).WorkingDir || "/",
				user: cfg(state).User ?? "",
				scratch: run.opt.scratch,
				signal: run.opt.opts.signal,
				...run.opt.opts.network ? { network: run.opt.opts.network } : {},
				allowHostNetwork: run.opt.opts.allow?.includes("network.host") ?? false,
				onOutput: (stream, text) => emit(run, {
					type: "log",
					n,
					stream,
					text
				})
			});
			return layer ? {
				layer,
				files: layer.files
			} : {};
		}
	};
}
var init_convert_run = __esmMin((() => {
	init_run();
	init_state();
}));
// src/main/engine/build/dispatch/convert.ts
/** Dispatches one instruction through the cache. */
async function dispatch(run, state, raw, chain, onbuild = false) {
	state.position++;
	const n = ++run.progress.n;
	const line = raw.location.startLine;
	let prepared;
	try {
		const nameText = displayName(raw, state.env, run.opt.escapeToken);
		emit(run, {
			type: "vertex",
			n,
			name: stepName(state, `${onbuild ? "ONBUILD " : ""}${nameText}`),
			stage: state.display,
			position: state.position,
			total: state.total,
			line
		});
		prepared = await prepare(run, state, raw, chain);
	} catch (err) {
		throw located(err, line);
	}
	const started = performance.now();
	const parentKey = state.key;
	const key = stepKey(parentKey, prepared.inputs);
	const ownKey = inputsKey(prepared.inputs);
	const prevOwn = run.opt.previousSteps.get(`${state.display}#${state.position}`);
	const selfChanged = prevOwn !== void 0 && prevOwn !== ownKey;
	const hit = run.opt.opts.noCache ? void 0 : run.opt.cache.get(key);
	const instruction = prepared.entry?.createdBy.replace(/ # buildkit$/, "") ?? raw.code;
	if (hit) {
		emit(run, {
			type: "cached",
			n
		});
		run.opt.cache.touch(key);
		if (hit.diffId) addLayer(state, run.opt.cache.layerInput(hit.diffId));
		prepared.apply();
		if (prepared.entry) pushHistory(state, prepared.entry, hit.historyCreated, hit.diffId === null && !prepared.entry.emptyLayer ? true : void 0);
		state.key = key;
		recordStep(run, state, n, instruction, line, {
			cacheKey: key,
			inputsKey: ownKey,
			status: "cached",
			cached: true,
			reason: "",
			durationMs: 0,
			size: hit.size,
			diffId: hit.diffId,
			selfChanged
		});
		return;
	}
	const why = run.opt.opts.noCache ? { code: "no-cache" } : state.missN !== void 0 ? {
		code: "parent-missed",
		step: state.missN
	} : run.opt.cache.explainMissCause(parentKey, raw.kind, prepared.inputs);
	const what = raw.kind === "copy" || raw.kind === "add" ? displayName(raw, state.env, run.opt.escapeToken) : raw.kind.toUpperCase();
	const cause = {
		...why,
		instruction: what
	};
	const reason = missCauseText(why);
	emit(run, {
		type: "miss",
		n,
		reason: missReasonText(cause),
		cause
	});
	state.missN ??= n;
	let outcome = {};
	try {
		if (prepared.execute) outcome = await prepared.execute();
	} catch (err) {
		run.progress.stepFailed = true;
		emit(run, {
			type: "error",
			n,
			message: err.message,
			line
		});
		recordStep(run, state, n, instruction, line, {
			cacheKey: key,
			inputsKey: ownKey,
			status: "failed",
			cached: false,
			reason,
			durationMs: performance.now() - started,
			size: 0,
			diffId: null,
			selfChanged
		});
		throw located(err, line);
	}
	const created = nowIso(run);
	if (outcome.layer) {
		recordLayer(run.opt.engine.db, {
			...outcome.layer,
			...outcome.files ? { files: outcome.files } : {}
		});
		addLayer(state, outcome.layer, outcome.files);
	}
	prepared.apply();
	const noLayer = !outcome.layer && prepared.entry !== null && !prepared.entry.emptyLayer;
	if (prepared.entry) pushHistory(state, prepared.entry, created, noLayer ? true : void 0);
	const durationMs = performance.now() - started;
	run.opt.cache.put({
		key,
		parentKey,
		kind: raw.kind,
		description: prepared.entry?.createdBy ?? raw.code,
		diffId: outcome.layer?.diffId ?? null,
		historyCreated: created,
		inputs: prepared.inputs,
		size: outcome.layer?.diffSize ?? 0,
		durationMs: Math.round(durationMs)
	});
	state.key = key;
	emit(run, {
		type: "done",
		n,
		durationMs
	});
	recordStep(run, state, n, instruction, line, {
		cacheKey: key,
		inputsKey: ownKey,
		status: "done",
		cached: false,
		reason,
		durationMs,
		size: outcome.layer?.diffSize ?? 0,
		diffId: outcome.layer?.diffId ?? null,
		selfChanged
	});
}
/** The step name shown in progress: expanded where BuildKit expands, as written elsewhere. */
function displayName(cmd, env, escapeToken) {
	if ([
		"cmd",
		"entrypoint",
		"shell",
		"healthcheck",
		"onbuild",
		"maintainer"
	].includes(cmd.kind) || cmd.kind === "run" && !cmd.prependShell) {
		const space = cmd.code.indexOf(" ");
		return space < 0 ? cmd.code.toUpperCase() : cmd.code.slice(0, space).toUpperCase() + cmd.code.slice(space);
	}
	return progressName(cmd, env, escapeToken);
}
/** Expands the instruction, computes its history entry and inputs, and binds its effects. */
async function prepare(run, state, raw, chain) {
	const escape = { escapeToken: run.opt.escapeToken };
	const scope = scopeArgs(state);
	const base = (cmd, entry, apply) => ({
		cmd,
		entry,
		apply,
		inputs: {
			instruction: entry?.createdBy ?? `ONBUILD ${cmd.expression ?? cmd.code}`,
			source: raw.code,
			args: {},
			scope
		}
	});
	const hctx = () => ({
		shell: cfg(state).Shell ?? [],
		buildArgs: state.buildArgs,
		env: state.env,
		workingDir: cfg(state).WorkingDir || "/"
	});
	if (raw.kind === "arg") {
		const resolved = resolveArgs(raw, {
			buildArgs: run.opt.buildArgs,
			metaArgs: run.opt.metaArgs,
			env: state.env
		}, escape);
		for (const a of raw.args) run.progress.usedArgs.add(a.key);
		const cmd = {
			...raw,
			args: resolved
		};
		const p = base(cmd, createdBy(cmd, hctx()), () => {
			for (const a of resolved) {
				if (a.value !== void 0 && envValue(cfg(state).Env ?? [], a.key) === void 0) setEnv$1(state.env, a.key, a.value);
				state.buildArgs.push(a);
			}
		});
		p.inputs.scope = {
			...scope,
			...Object.fromEntries(resolved.map((a) => [a.key, a.value ?? ""]))
		};
		return p;
	}
	const cmd = expandInstruction(raw, state.env, escape);
	const entry = createdBy(cmd, hctx());
	if (cmd.kind === "maintainer") return base(cmd, entry, () => {
		state.config.author = cmd.maintainer;
	});
	if (isConfigInstruction(cmd) && cmd.kind !== "workdir") {
		validateConfigInstruction(cmd);
		return base(cmd, cmd.kind === "onbuild" ? null : entry, () => {
			applyConfigInstruction(cfg(state), cmd, state.private);
			if (cmd.kind === "env") for (const kv of cmd.env) setEnv$1(state.env, kv.key, kv.value);
		});
	}
	switch (cmd.kind) {
		case "workdir": return workdirStep(run, state, cmd, entry, base);
		case "copy":
		case "add": return copyStep(run, state, cmd, entry, scope, chain);
		case "run": return runStep(run, state, cmd, entry, scope);
	}
}
var init_convert = __esmMin((() => {
	init_instructions();
	init_cache();
	init_config_changes();
	init_build_error();
	init_state();
	init_convert_workdir();
	init_convert_copy();
	init_convert_run();
}));
// src/main/engine/build/dispatch/stage.ts
/** Builds a stage (once) and the stages it needs; returns its final state. */
async function stageState(run, index, chain = []) {
	const done = run.progress.states.get(index);
	if (done) return done;
	if (chain.includes(index)) throw new BuildError(`circular dependency detected on stage: ${run.opt.stages[index].name || index}`);
	const stage = run.opt.stages[index];
	const state = await fromStep(run, stage, index, [...chain, index]);
	for (const cmd of stage.commands) {
		if (run.opt.opts.signal?.aborted) throw new BuildError("build cancelled");
		await dispatch(run, state, cmd, [...chain, index]);
	}
	run.progress.states.set(index, state);
	return state;
}
function stageDisplay(run, stage, index) {
	if (stage.name) return stage.name;
	return run.opt.multiStage ? `stage-${index}` : "";
}
/** FROM: a stage, `scratch`, or a local image by name or ID. ONBUILD triggers of the base run next. */
async function fromStep(run, stage, index, chain) {
	const { baseName } = expandStage(stage, run.opt.metaEnv, { escapeToken: run.opt.escapeToken });
	const display = stageDisplay(run, stage, index);
	const parentIndex = findStage(run.opt.stages.slice(0, index), baseName);
	let state;
	if (parentIndex >= 0) {
		const parent = await stageState(run, parentIndex, chain);
		state = {
			...parent,
			stage,
			index,
			display,
			config: structuredClone(parent.config),
			layers: [...parent.layers],
			private: { pending: parent.layers.map((l) => ({
				diffId: l.diffId,
				files: void 0
			})) },
			env: [...parent.config.config?.Env ?? []],
			buildArgs: [],
			newTimes: [...parent.newTimes],
			position: 1,
			total: 0
		};
	} else state = baseState(run, stage, index, display, baseName);
	const triggerCmds = (state.config.config?.OnBuild ?? []).map((t) => parseTrigger(t, stage));
	if (state.config.config) delete state.config.config.OnBuild;
	state.total = stage.commands.length + 1 + triggerCmds.length;
	const n = ++run.progress.n;
	const fromText = parentIndex >= 0 ? `FROM ${baseName}` : baseName === "scratch" ? "FROM scratch" : `FROM ${formatReference(parseReference(baseName))}`;
	emit(run, {
		type: "vertex",
		n,
		name: stepName(state, fromText),
		stage: display,
		position: 1,
		total: state.total,
		line: stage.location.startLine
	});
	const before = run.opt.previousSteps.get(`${display}#1`);
	if (before !== void 0 && before !== state.key && !run.opt.opts.noCache) {
		const cause = {
			code: "base-image-changed",
			instruction: "FROM"
		};
		const reason = missCauseText(cause);
		emit(run, {
			type: "miss",
			n,
			reason: missReasonText(cause),
			cause
		});
		emit(run, {
			type: "done",
			n,
			durationMs: 0
		});
		state.missN = n;
		recordStep(run, state, n, fromText, stage.location.startLine, {
			cacheKey: state.key,
			inputsKey: state.key,
			status: "done",
			cached: false,
			reason,
			durationMs: 0,
			size: 0,
			diffId: null,
			selfChanged: true
		});
	} else {
		emit(run, {
			type: "cached",
			n
		});
		recordStep(run, state, n, fromText, stage.location.startLine, {
			cacheKey: state.key,
			inputsKey: state.key,
			status: "cached",
			cached: true,
			reason: "",
			durationMs: 0,
			size: 0,
			diffId: null
		});
	}
	for (const cmd of triggerCmds) await dispatch(run, state, cmd, chain, true);
	return state;
}
function parseTrigger(trigger, stage) {
	try {
		const p = parse(trigger);
		if (p.children.length !== 1) throw new StrataError("invalid", "onbuild trigger should be a single expression");
		return {
			...parseCommand(p.children[0]),
			location: stage.location
		};
	} catch (err) {
		throw new BuildError(`failed to process ONBUILD trigger "${trigger}": ${err.message}`, stage.location.startLine);
	}
}
function baseState(run, stage, index, display, baseName) {
	const platform = hostPlatform();
	if (baseName === "scratch") return newState(stage, index, display, {
		architecture: platform.architecture,
		os: platform.os,
		config: {
			Env: [DEFAULT_PATH],
			WorkingDir: "/"
		},
		rootfs: {
			type: "layers",
			diff_ids: []
		},
		history: []
	}, [], "", stepKey("", {
		instruction: `FROM scratch ${platform.os}/${platform.architecture}`,
		source: "",
		args: {}
	}));
	const imageId = run.opt.engine.images.tryResolve(baseName);
	if (!imageId) {
		let ref = baseName;
		try {
			ref = formatReference(parseReference(baseName));
		} catch {}
		throw new BuildError(`failed to solve: ${baseName}: failed to resolve source metadata for ${ref}: not found in the local store (pull or load it first)`, stage.location.startLine);
	}
	const base = run.opt.engine.images.readConfig(imageId);
	const layers = run.opt.engine.images.layers(imageId).map((l) => ({
		blobDigest: l.blobDigest,
		blobSize: l.blobSize,
		mediaType: l.mediaType,
		compression: l.compression,
		diffId: l.diffId,
		size: l.size,
		diffSize: l.diffSize
	}));
	const config = {
		architecture: base.architecture,
		os: base.os,
		...base.variant ? { variant: base.variant } : {},
		...base["os.version"] ? { "os.version": base["os.version"] } : {},
		...base.author ? { author: base.author } : {},
		config: structuredClone(base.config ?? {}),
		rootfs: {
			type: "layers",
			diff_ids: []
		},
		history: structuredClone(base.history ?? []),
		...base.created ? { created: base.created } : {}
	};
	if (!config.config.Env || config.config.Env.length === 0) config.config.Env = [DEFAULT_PATH];
	return newState(stage, index, display, config, layers, imageId, stepKey("", {
		instruction: `FROM ${imageId}`,
		source: "",
		args: {}
	}));
}
function newState(stage, index, display, config, layers, baseImageId, key) {
	return {
		stage,
		index,
		display,
		config,
		layers,
		private: { pending: layers.map((l) => ({
			diffId: l.diffId,
			files: void 0
		})) },
		key,
		env: [...config.config?.Env ?? []],
		buildArgs: [],
		baseImageId,
		missN: void 0,
		newTimes: [],
		position: 1,
		total: 0
	};
}
var init_stage = __esmMin((() => {
	init_oci();
	init_reference();
	init_parser();
	init_instructions();
	init_cache();
	init_build_error();
	init_errors$2();
	init_state();
	init_convert();
}));
// src/main/engine/build/builder.ts
/**
* The Dockerfile builder: parse → type → dispatch, with BuildKit's semantics (stages, ARG scoping,
* expansion, config and history) and a parent-keyed, explainable layer cache. This file runs a
* build from start to export; dispatch/ holds the stage walker (stage.ts), the dispatcher
* (convert.ts) and one converter per heavy instruction (convert-copy, convert-run,
* convert-workdir), over the build's immutable options and its progress (state.ts).
*
* Decisions (documented here because they are visible to users):
* - Like BuildKit, intermediate steps are not images and the result has no Parent: `history`
*   shows the final ID on top, `<missing>` for the steps, and the base image's ID where its layers
*   end (the history service matches stored images by layer chain).
* - As in BuildKit, every RUN, COPY, ADD and WORKDIR (other than `/`) adds a layer, even when
*   nothing changed: then it is the empty tar (diff ID sha256:5f70bf18…), as BuildKit's
*   history shows `empty_layer: false` for `RUN ls`.
* - History `created` of a step is the time it ran (SOURCE_DATE_EPOCH when set); a cache hit
*   reuses the time stored with the hit, and the image's `created` is its newest history time,
*   so a fully cached rebuild gives the same image ID.
* - Layers the builder writes are deterministic (see copy.ts); RUN layers are what the process wrote.
*/
/** Runs a build to an image in the store. */
async function build(engine, opts) {
	let ctx;
	try {
		ctx = openContext(opts.context, opts.dockerfile);
	} catch (err) {
		throw new BuildError(err.message, void 0, void 0, err);
	}
	const history = new BuildHistory(engine.db);
	const buildArgs = opts.buildArgs ?? {};
	const tags = (opts.tags ?? []).map((t) => formatReference(parseReference(t)));
	const buildId = history.start({
		context: ctx.dir,
		dockerfile: ctx.dockerfile,
		dockerfileText: ctx.dockerfileText,
		buildArgs,
		target: opts.target ?? "",
		tags,
		noCache: opts.noCache ?? false
	});
	const scratch = join(engine.dir("build-tmp"), buildId);
	mkdirSync(scratch, { recursive: true });
	const progress = {
		n: 0,
		usedArgs: /* @__PURE__ */ new Set(),
		states: /* @__PURE__ */ new Map(),
		steps: [],
		stepFailed: false
	};
	const given = {
		engine,
		ctx,
		opts,
		cache: new BuildCache(engine.db, engine.events),
		history,
		buildId,
		scratch,
		buildArgs,
		epoch: sourceDateEpoch(),
		previousSteps: previousInputs(engine, ctx),
		digests: fileDigestCache(engine.db)
	};
	try {
		const imageId = await engine.gc.withLease(() => buildImage(given, progress, tags));
		history.finish(buildId, "success", { imageId });
		opts.onEvent?.({
			type: "result",
			buildId,
			imageId,
			tags: tags.map((t) => familiarString(parseReference(t)))
		});
		return {
			buildId,
			imageId,
			tags,
			steps: progress.steps
		};
	} catch (err) {
		const e = toBuildError(err);
		history.finish(buildId, opts.signal?.aborted ? "cancelled" : "failed", { error: e.message });
		if (!progress.stepFailed) opts.onEvent?.({
			type: "error",
			message: e.message,
			...e.line ? { line: e.line } : {}
		});
		throw e;
	} finally {
		rmSync(scratch, {
			recursive: true,
			force: true
		});
	}
}
function sourceDateEpoch() {
	const v = process.env.SOURCE_DATE_EPOCH;
	return v && /^\d+$/.test(v) ? Number(v) : void 0;
}
/** Inputs keys of the last build of the same Dockerfile, by stage and position (for the advisor). */
function previousInputs(engine, ctx) {
	const h = new BuildHistory(engine.db);
	const prev = h.list({
		context: ctx.dir,
		dockerfile: ctx.dockerfile,
		limit: 2
	}).find((b) => b.status !== "running");
	const m = /* @__PURE__ */ new Map();
	if (!prev) return m;
	for (const s of h.steps(prev.id)) m.set(`${s.stage}#${s.position}`, s.inputsKey);
	return m;
}
/** Parses the Dockerfile, fixes the build's options, builds the target stage and exports it. */
async function buildImage(given, progress, tags) {
	const n0 = ++progress.n;
	given.opts.onEvent?.({
		type: "vertex",
		n: n0,
		name: "[internal] load build definition from Dockerfile"
	});
	const parsed = parse(given.ctx.dockerfileText);
	const { stages, metaArgs } = parseStages(parsed.children);
	if (stages.length === 0) throw new BuildError("the Dockerfile (Dockerfile) cannot be empty");
	given.opts.onEvent?.({
		type: "done",
		n: n0,
		durationMs: 0
	});
	const builtins = platformArgs();
	const meta = resolveMetaArgs(metaArgs, given.buildArgs, builtins, { escapeToken: parsed.escapeToken });
	for (const a of metaArgs.flatMap((m) => m.args)) progress.usedArgs.add(a.key);
	const run = {
		opt: {
			...given,
			escapeToken: parsed.escapeToken,
			stages,
			multiStage: stages.length > 1,
			metaEnv: meta.env,
			metaArgs: [...meta.args, ...Object.entries(builtins).map(([key, value]) => ({
				key,
				value,
				comment: ""
			}))],
			buildStage: (index, chain) => stageState(run, index, chain)
		},
		progress
	};
	let target = stages.length - 1;
	if (given.opts.target) {
		target = findStage(stages, given.opts.target);
		if (target < 0) throw new BuildError(`failed to solve: target stage "${given.opts.target}" could not be found`);
	}
	const state = await stageState(run, target);
	const unused = Object.keys(given.buildArgs).filter((k) => !progress.usedArgs.has(k) && !(k in builtins) && !PREDEFINED_ARGS.has(k.toLowerCase()));
	if (unused.length > 0) emit(run, {
		type: "warning",
		message: `One or more build-args [${unused.sort().join(" ")}] were not consumed`
	});
	return exportImage(run, state, tags);
}
function platformArgs() {
	const p = hostPlatform();
	const platform = `${p.os}/${p.architecture}`;
	return {
		BUILDPLATFORM: platform,
		BUILDOS: p.os,
		BUILDARCH: p.architecture,
		BUILDVARIANT: "",
		TARGETPLATFORM: platform,
		TARGETOS: p.os,
		TARGETARCH: p.architecture,
		TARGETVARIANT: ""
	};
}
/** Writes the final image: config with history, layers and tags. */
async function exportImage(run, state, tags) {
	const n = ++run.progress.n;
	emit(run, {
		type: "vertex",
		n,
		name: "exporting to image"
	});
	const started = performance.now();
	const config = structuredClone(state.config);
	config.created = state.newTimes.filter(Boolean).sort().at(-1) ?? config.created ?? nowIso(run);
	if (config.config?.OnBuild?.length === 0) delete config.config.OnBuild;
	emit(run, {
		type: "status",
		n,
		text: "exporting layers done"
	});
	const img = await writeOrReuse(run, config, state.layers, tags);
	emit(run, {
		type: "status",
		n,
		text: `writing image ${img.id} done`
	});
	for (const t of tags) emit(run, {
		type: "status",
		n,
		text: `naming to ${t} done`
	});
	emit(run, {
		type: "done",
		n,
		durationMs: performance.now() - started
	});
	return img.id;
}
/**
* A fully cached build yields the config of an image already stored: then only its tags are
* set, which spares re-writing (and fsyncing) the config and manifest blobs.
*/
async function writeOrReuse(run, config, layers, tags) {
	const full = {
		...config,
		rootfs: {
			type: "layers",
			diff_ids: layers.map((l) => l.diffId)
		}
	};
	const id = digestOf(JSON.stringify(full));
	if (run.opt.engine.images.get(id) && run.opt.engine.content.has(id)) {
		for (const t of tags) run.opt.engine.images.tag(id, t);
		return { id };
	}
	return writeImage(run.opt.engine.content, run.opt.engine.images, {
		config,
		layers,
		tags
	});
}
var PREDEFINED_ARGS;
var init_builder = __esmMin((() => {
	init_oci();
	init_image_writer();
	init_reference();
	init_digest();
	init_parser();
	init_instructions();
	init_context();
	init_cache();
	init_history_store();
	init_build_error();
	init_state();
	init_stage();
	PREDEFINED_ARGS = /* @__PURE__ */ new Set([
		"http_proxy",
		"https_proxy",
		"ftp_proxy",
		"no_proxy",
		"all_proxy"
	]);
}));
// src/main/engine/build/leftovers.ts
init_units();
init_builder();
/**
* What a build killed outright (kill -9, a crash, power loss) leaves behind: its history record
* still "running", its scratch folder `build-tmp/<id>` (extracted archives, `COPY --from` files,
* the RUN step's writable layer) and the sandbox's `strata-run-<id>…` folders in the temp dir.
* Every build records its owner — the process ID with the process's start time, so a reused PID
* is not mistaken for it — and `system gc` and `builder prune` finish what no living process owns.
*/
init_rootfs();
init_history_store();
init_owner();
/** Marks builds whose process is gone as failed and removes scratch folders nothing owns. */
function sweepInterruptedBuilds(engine) {
	const history = new BuildHistory(engine.db);
	const interrupted = [];
	const live = /* @__PURE__ */ new Set();
	for (const { id, owner } of history.running()) if (stampAlive(owner)) live.add(id);
	else {
		history.finish(id, "failed", { error: "interrupted: the build process exited before the build finished" });
		interrupted.push(id);
	}
	const root = engine.dir("build-tmp");
	let folders = 0;
	const alive = (id) => {
		if (live.has(id)) return true;
		return history.get(id)?.status === "running" && stampAlive(history.owner(id));
	};
	for (const name of readdirSync(root)) {
		if (alive(name)) continue;
		removeTree(join(root, name));
		folders++;
	}
	for (const name of readdirSync(tmpdir())) {
		const id = buildOfRunScratch(name);
		if (!id || !history.get(id) || alive(id)) continue;
		removeTree(join(tmpdir(), name));
		folders++;
	}
	return {
		interrupted,
		folders
	};
}
// src/main/engine/build/advisor.ts
/** A step may move below another only inside its stage; FROM and ARG/ENV that others may use stay put. */
function movable(s) {
	return s.position > 1 && !/^(ARG|FROM|ONBUILD)\b/.test(s.instruction);
}
function mean(xs) {
	return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
/** Analyses up to `limit` recorded successful builds of a Dockerfile (context + path). */
function adviseOrder(engine, target, limit = 50) {
	const history = new BuildHistory(engine.db);
	const builds = history.list({
		context: target.context,
		dockerfile: target.dockerfile,
		limit
	}).filter((b) => b.status === "success").reverse();
	const stats = /* @__PURE__ */ new Map();
	builds.forEach((b, i) => {
		for (const s of history.steps(b.id)) collect(stats, s, i > 0);
	});
	const suggestions = [];
	const compared = Math.max(0, builds.length - 1);
	for (const s of stats.values()) {
		if (!movable(s) || compared === 0 || s.changed === 0 || s.changed * 2 < compared) continue;
		const below = [...stats.values()].filter((o) => o.stage === s.stage && o.position > s.position && o.changed === 0 && o.seen > 1 && movable(o)).sort((a, b) => a.position - b.position);
		const run = [];
		for (const o of below) {
			if (o.position !== s.position + run.length + 1) break;
			run.push(o);
		}
		if (run.length === 0) continue;
		const stableBelow = run.map((o) => ({
			line: o.line,
			instruction: o.instruction,
			meanMs: mean(o.ranMs),
			meanBytes: mean(o.bytes)
		}));
		const savedMs = stableBelow.reduce((a, o) => a + o.meanMs, 0);
		const savedBytes = stableBelow.reduce((a, o) => a + o.meanBytes, 0);
		suggestions.push({
			stage: s.stage,
			line: s.line,
			instruction: s.instruction,
			changedBuilds: s.changed,
			comparedBuilds: compared,
			stableBelow,
			savedMs,
			savedBytes,
			message: `line ${s.line}: "${s.instruction}" changed in ${s.changed} of ${compared} rebuilds and sits above ${run.length} stable step${run.length === 1 ? "" : "s"} (${run.map((o) => `line ${o.line} ${o.instruction}`).join("; ")}); moving it below them would save about ${(savedMs / 1e3).toFixed(1)}s and ${humanSize(savedBytes)} of rebuilt layers per change`
		});
	}
	suggestions.sort((a, b) => b.savedMs - a.savedMs || b.savedBytes - a.savedBytes || a.line - b.line);
	return {
		builds: builds.length,
		suggestions
	};
}
function collect(stats, s, compare) {
	const key = `${s.stage}#${s.position}`;
	let st = stats.get(key);
	if (!st) {
		st = {
			stage: s.stage,
			position: s.position,
			line: s.line,
			instruction: s.instruction,
			kind: s.instruction.split(" ")[0] ?? "",
			seen: 0,
			changed: 0,
			ranMs: [],
			bytes: []
		};
		stats.set(key, st);
	}
	st.seen++;
	st.line = s.line;
	st.instruction = s.instruction;
	if (compare && s.selfChanged) st.changed++;
	if (!s.cached && s.status === "done") {
		st.ranMs.push(s.durationMs);
		st.bytes.push(s.size);
	}
}
var init_advisor = __esmMin((() => {
	init_history_store();
	init_units$1();
}));
// src/main/cli/errors.ts
init_advisor();
/**
* The one place the CLI turns an error into what docker prints and the status it exits with.
* Commands throw (or hand a caught error here with the surface it came from); nothing else in
* the CLI chooses a prefix or an exit code for an error.
*/
init_sandbox();
/**
* What docker prints for `err` at `surface`, and the status the command exits with: docker's 125
* for the CLI's own usage errors, the process's 125/126/127 when it could not start, else 1.
*/
function describeError(err, surface = "command") {
	const message = err instanceof Error ? err.message : String(err);
	if (err instanceof UsageError) return {
		text: `${message}\n`,
		status: 125
	};
	if (err instanceof ExecError && surface === "start") return {
		text: `strata: Error response from daemon: failed to create task for container: ${message}\n`,
		status: err.exitCode
	};
	if (err instanceof ExecError && surface === "exec") return {
		text: `OCI runtime exec failed: exec failed: unable to start container process: ${message}: unknown\n`,
		status: err.exitCode
	};
	if (err instanceof BuildError) return {
		text: `ERROR: failed to solve: ${err.line && !message.startsWith("dockerfile parse error") ? `Dockerfile:${err.line}: ` : ""}${message.replace(/^failed to solve: /, "")}\n`,
		status: 1
	};
	if (surface === "daemon") return {
		text: `Error response from daemon: ${message}\n`,
		status: 1
	};
	return {
		text: `Error: ${message}\n`,
		status: 1
	};
}
/** Prints `err` as docker would and returns the exit status. */
function reportError(stderr, err, surface = "command") {
	const failure = describeError(err, surface);
	if (process.env.STRATA_DEBUG && err instanceof Error && !(err instanceof UsageError)) stderr.write(`${err.stack}\n`);
	stderr.write(failure.text);
	return failure.status;
}
// src/main/cli/prompt.ts
/**
* docker/cli's PromptForConfirmation: the question and ` [y/N] ` on stdout, one line from stdin,
* and only `y` or `Y` (spaces trimmed) means yes; end of input means no.
*/
async function confirm(ctx, question) {
	ctx.stdout.write(`${question} [y/N] `);
	return (await readLine(ctx.stdin)).trim().toLowerCase() === "y";
}
/** One line from stdin (without its newline); what there is at end of input. */
function readLine(stdin) {
	return new Promise((resolve) => {
		let buf = "";
		const done = (line) => {
			stdin.off("data", onData);
			stdin.off("end", onEnd);
			stdin.pause();
			resolve(line);
		};
		const onData = (chunk) => {
			buf += chunk.toString();
			const nl = buf.indexOf("\n");
			if (nl >= 0) done(buf.slice(0, nl));
		};
		const onEnd = () => done(buf);
		stdin.on("data", onData);
		stdin.once("end", onEnd);
		stdin.resume();
	});
}
// src/main/cli/commands/build.ts
init_builder();
init_cache();
init_history_store();
init_context();
init_format();
init_oci();
/** `--build-arg k=v`; a bare `k` takes the value from the environment (and is skipped when unset). */
function parseBuildArgs(values, env = process.env) {
	const out = {};
	for (const v of values) {
		const eq = v.indexOf("=");
		if (eq === 0) throw new UsageError(`invalid argument "${v}" for "--build-arg" flag: invalid key`);
		if (eq > 0) out[v.slice(0, eq)] = v.slice(eq + 1);
		else if (env[v] !== void 0) out[v] = env[v];
	}
	return out;
}
/**
* BuildKit's plain progress: `#n name`, then CACHED / log lines / `#n DONE 0.1s`, a blank line
* between vertices. A cache miss prints its reason on its own line.
*/
function plainPrinter(out) {
	const started = /* @__PURE__ */ new Map();
	const pending = /* @__PURE__ */ new Map();
	return (e) => {
		switch (e.type) {
			case "vertex":
				started.set(e.n, performance.now());
				out.write(`#${e.n} ${e.name}\n`);
				break;
			case "cached":
				out.write(`#${e.n} CACHED\n\n`);
				started.delete(e.n);
				break;
			case "miss":
				out.write(`#${e.n} cache miss: ${e.reason}\n`);
				break;
			case "log": {
				const t = ((performance.now() - (started.get(e.n) ?? performance.now())) / 1e3).toFixed(3);
				const lines = ((pending.get(e.n) ?? "") + e.text).split("\n");
				pending.set(e.n, lines.pop());
				for (const l of lines) out.write(`#${e.n} ${t} ${l}\n`);
				break;
			}
			case "status":
				out.write(`#${e.n} ${e.text}\n`);
				break;
			case "done":
				if (!started.has(e.n)) break;
				if (pending.get(e.n)) out.write(`#${e.n} ${pending.get(e.n)}\n`);
				pending.delete(e.n);
				started.delete(e.n);
				out.write(`#${e.n} DONE ${(e.durationMs / 1e3).toFixed(1)}s\n\n`);
				break;
			case "error":
				if (e.n !== void 0) out.write(`#${e.n} ERROR: ${e.message}\n`);
				break;
			case "warning": out.write(`[Warning] ${e.message}\n`);
		}
	};
}
const buildCommand = {
	path: ["build"],
	aliases: [["image", "build"], ["buildx", "build"]],
	usage: "strata build [OPTIONS] PATH",
	description: "Build an image from a Dockerfile",
	flags: [
		{
			name: "tag",
			short: "t",
			type: "strings",
			value: "list",
			description: "Name and optionally a tag (format: \"name:tag\")"
		},
		{
			name: "file",
			short: "f",
			type: "string",
			value: "string",
			description: "Name of the Dockerfile (default: \"PATH/Dockerfile\")"
		},
		{
			name: "build-arg",
			type: "strings",
			value: "stringArray",
			description: "Set build-time variables"
		},
		{
			name: "target",
			type: "string",
			value: "string",
			description: "Set the target build stage to build"
		},
		{
			name: "no-cache",
			type: "bool",
			description: "Do not use cache when building the image"
		},
		{
			name: "progress",
			type: "string",
			value: "string",
			description: "Set type of progress output (\"plain\", \"json\")"
		},
		{
			name: "quiet",
			short: "q",
			type: "bool",
			description: "Suppress the build output and print image ID on success"
		},
		{
			name: "platform",
			type: "string",
			value: "string",
			description: "Set target platform for build (only the host platform)"
		},
		{
			name: "network",
			type: "string",
			value: "string",
			description: "Set the networking mode for the RUN instructions during build (\"none\" (default), \"host\")"
		},
		{
			name: "allow",
			type: "strings",
			value: "stringArray",
			description: "Allow extra privileged entitlement (e.g., \"network.host\")"
		}
	],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const progress = flagString(ctx, "progress") ?? "plain";
		if (![
			"plain",
			"json",
			"auto",
			"tty"
		].includes(progress)) throw new UsageError(`invalid progress mode: ${progress}`);
		const quiet = flagBool(ctx, "quiet");
		const platform = flagString(ctx, "platform");
		const host = hostPlatform();
		if (platform && platform !== `${host.os}/${host.architecture}`) throw new UsageError(`only the host platform (${host.os}/${host.architecture}) can be built, not ${platform}`);
		const network = flagString(ctx, "network");
		if (network !== void 0 && ![
			"host",
			"none",
			"default"
		].includes(network)) throw new UsageError(`network mode "${network}" not supported by buildkit`);
		for (const e of flagStrings(ctx, "allow")) if (e !== "network.host" && e !== "security.insecure") throw new UsageError(`invalid entitlement: ${e}`);
		const onEvent = quiet ? void 0 : progress === "json" ? (e) => ctx.stdout.write(`${JSON.stringify(e)}\n`) : plainPrinter(ctx.stderr);
		try {
			const res = await build(ctx.engine(), {
				context: ctx.args[0],
				...flagString(ctx, "file") ? { dockerfile: flagString(ctx, "file") } : {},
				tags: flagStrings(ctx, "tag"),
				buildArgs: parseBuildArgs(flagStrings(ctx, "build-arg")),
				...flagString(ctx, "target") ? { target: flagString(ctx, "target") } : {},
				noCache: flagBool(ctx, "no-cache"),
				...network ? { network } : {},
				allow: flagStrings(ctx, "allow"),
				signal: ctx.signal,
				...onEvent ? { onEvent } : {}
			});
			if (quiet) ctx.stdout.write(`${res.imageId}\n`);
			return 0;
		} catch (err) {
			if (!(err instanceof BuildError)) throw err;
			return reportError(ctx.stderr, err, "build");
		}
	}
};
const builderPruneCommand = {
	path: ["builder", "prune"],
	aliases: [["buildx", "prune"]],
	usage: "strata builder prune [OPTIONS]",
	description: "Remove build cache",
	flags: [{
		name: "all",
		short: "a",
		type: "bool",
		description: "Remove all unused build cache, not just dangling ones"
	}, {
		name: "force",
		short: "f",
		type: "bool",
		description: "Do not prompt for confirmation"
	}],
	maxArgs: 0,
	async run(ctx) {
		const all = flagBool(ctx, "all");
		if (!flagBool(ctx, "force")) {
			if (!await confirm(ctx, `${all ? "WARNING! This will remove all build cache." : "WARNING! This will remove all dangling build cache."} Are you sure you want to continue?`)) return 0;
		}
		const engine = ctx.engine();
		sweepInterruptedBuilds(engine);
		const removed = new BuildCache(engine.db, engine.events).prune(all);
		await engine.gc.collect();
		if (removed.keys.length > 0) {
			ctx.stdout.write("Deleted build cache objects:\n");
			for (const k of removed.keys) ctx.stdout.write(`${k.replace(/^sha256:/, "").slice(0, 25)}\n`);
			ctx.stdout.write("\n");
		}
		ctx.stdout.write(`Total:\t${humanSize(removed.size)}\n`);
		return 0;
	}
};
const builderHistoryCommand = {
	path: ["builder", "history"],
	aliases: [[
		"buildx",
		"history",
		"ls"
	]],
	usage: "strata builder history [OPTIONS]",
	description: "List recorded builds",
	flags: [{
		name: "steps",
		type: "bool",
		description: "Show the steps of each build"
	}],
	maxArgs: 0,
	async run(ctx) {
		const h = new BuildHistory(ctx.engine().db);
		const rows = h.list({ limit: 50 });
		ctx.stdout.write(`${"BUILD ID".padEnd(26)}${"STATUS".padEnd(11)}${"IMAGE".padEnd(14)}${"CACHED".padEnd(9)}${"TIME".padEnd(8)}DOCKERFILE\n`);
		for (const b of rows) {
			const steps = h.steps(b.id);
			const cached = `${steps.filter((s) => s.cached).length}/${steps.length}`;
			const secs = b.finishedAt ? `${((b.finishedAt - b.startedAt) / 1e3).toFixed(1)}s` : "-";
			ctx.stdout.write(`${b.id.padEnd(26)}${b.status.padEnd(11)}${(b.imageId ? shortId(b.imageId) : "<none>").padEnd(14)}${cached.padEnd(9)}${secs.padEnd(8)}${b.dockerfile}\n`);
			if (flagBool(ctx, "steps")) for (const s of steps) ctx.stdout.write(`  #${s.n} ${s.instruction}  ${s.cached ? "CACHED" : s.reason}\n`);
		}
	}
};
const builderAdviseCommand = {
	path: ["builder", "advise"],
	usage: "strata builder advise [OPTIONS] PATH",
	description: "Suggest instruction order changes from recorded builds of a Dockerfile",
	flags: [{
		name: "file",
		short: "f",
		type: "string",
		value: "string",
		description: "Name of the Dockerfile (default: \"PATH/Dockerfile\")"
	}],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const c = openContext(ctx.args[0], flagString(ctx, "file"));
		const advice = adviseOrder(ctx.engine(), {
			context: c.dir,
			dockerfile: c.dockerfile
		});
		if (advice.suggestions.length === 0) {
			ctx.stdout.write(`No reordering suggested (${advice.builds} recorded build${advice.builds === 1 ? "" : "s"} analysed).\n`);
			return;
		}
		for (const s of advice.suggestions) ctx.stdout.write(`${s.message}\n`);
	}
};
// src/main/cli/commands/store.ts
init_units();
init_snapshotter();
const fsckCommand = {
	path: ["fsck"],
	usage: "strata fsck",
	description: "Verify every blob's digest and every reference in the store",
	flags: [],
	maxArgs: 0,
	async run(ctx) {
		const report = await ctx.engine().fsck();
		for (const p of report.problems) ctx.stdout.write(`ERROR ${p.message}\n`);
		if (report.unreferencedFiles.length > 0) ctx.stdout.write(`note: ${report.unreferencedFiles.length} unreferenced blob file(s) left by an interrupted operation; 'strata system gc' removes them\n`);
		ctx.stdout.write(`checked ${report.blobsChecked} blobs and ${report.imagesChecked} images: ${report.problems.length === 0 ? "no problems" : `${report.problems.length} problem(s)`}\n`);
		return report.problems.length === 0 ? 0 : 1;
	}
};
const gcCommand = {
	path: ["system", "gc"],
	usage: "strata system gc",
	description: "Remove layers and blobs that nothing references",
	flags: [],
	maxArgs: 0,
	async run(ctx) {
		const swept = sweepInterruptedBuilds(ctx.engine());
		if (swept.interrupted.length > 0) ctx.stdout.write(`Marked ${swept.interrupted.length} interrupted build${swept.interrupted.length === 1 ? "" : "s"} as failed\n`);
		const res = await ctx.engine().gc.collect();
		const snapshots = new Snapshotter(ctx.engine()).prune();
		if (snapshots > 0) ctx.stdout.write(`Removed ${snapshots} unused layer snapshot${snapshots === 1 ? "" : "s"}\n`);
		ctx.stdout.write(`Removed ${res.layersRemoved.length} layers and ${res.blobsRemoved.length} blobs\nTotal reclaimed space: ${humanSize(res.bytesFreed)}\n`);
	}
};
// src/main/engine/archive/entries.ts
/** Reads at least `n` bytes (or all there is) and hands back the head plus the whole stream again. */
async function peek(source, n) {
	const it = source[Symbol.asyncIterator]();
	const chunks = [];
	let have = 0;
	let done = false;
	while (have < n) {
		const r = await it.next();
		if (r.done) {
			done = true;
			break;
		}
		const c = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
		chunks.push(c);
		have += c.length;
	}
	const head = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
	async function* rest() {
		if (head.length > 0) yield head;
		if (done) return;
		for (;;) {
			const r = await it.next();
			if (r.done) return;
			yield r.value;
		}
	}
	return {
		head,
		stream: rest()
	};
}
/**
* The entries of an archive tar, read in one pass. A gzip- or zstd-compressed archive (as
* `docker save | gzip` makes) is decompressed on the way. The consumer must drain each file's
* body before asking for the next entry.
*/
async function* tarEntries(source) {
	const { head, stream } = await peek(source, 512);
	if (head.length === 0) throw new StrataError("invalid", "archive is empty (0 bytes)");
	const extract = tar.extract();
	const feed = pipeline(Readable.from(stream, { objectMode: false }), decompressor(detectCompression(head)), extract);
	let feedError;
	feed.catch((err) => {
		feedError = err;
	});
	try {
		for await (const entry of extract) {
			const h = entry.header;
			const name = cleanEntryPath(h.name);
			if (h.type === "directory") {
				entry.resume();
				yield {
					kind: "dir",
					name
				};
			} else if (h.type === "symlink") {
				entry.resume();
				yield {
					kind: "alias",
					name,
					target: resolveLink(name, h.linkname ?? "", true)
				};
			} else if (h.type === "link") {
				entry.resume();
				yield {
					kind: "alias",
					name,
					target: resolveLink(name, h.linkname ?? "", false)
				};
			} else if (h.type === "file" || h.type === "contiguous-file") {
				yield {
					kind: "file",
					name,
					size: h.size ?? 0,
					body: entry
				};
				entry.resume();
			} else throw new HostileArchiveError(`refusing unsupported entry type ${String(h.type)} in archive: ${h.name}`);
		}
		await feed;
	} catch (err) {
		throw archiveError(feedError ?? err);
	} finally {
		extract.destroy();
	}
}
/** Where a link inside the archive points, as a clean archive path; never outside the archive. */
function resolveLink(name, linkname, symbolic) {
	if (linkname === "") throw new HostileArchiveError(`refusing link with an empty target in archive: ${name}`);
	if (linkname.startsWith("/")) throw new HostileArchiveError(`refusing link that escapes the archive: ${name} -> ${linkname}`);
	const joined = symbolic ? posix.normalize(posix.join(posix.dirname(name), linkname)) : posix.normalize(linkname);
	if (joined === ".." || joined.startsWith("../")) throw new HostileArchiveError(`refusing link that escapes the archive: ${name} -> ${linkname}`);
	return cleanEntryPath(joined);
}
function archiveError(err) {
	const e = err instanceof Error ? err : new Error(String(err));
	if (e instanceof HostileArchiveError || e instanceof TruncatedArchiveError) return e;
	if (/Unexpected end of data|unexpected end of file|Z_BUF_ERROR|premature close/i.test(e.message)) return new TruncatedArchiveError(e.message);
	if (/Invalid tar header/i.test(e.message)) return new StrataError("invalid", `archive is not a valid tar file: ${e.message}`);
	return e;
}
/**
* The entries of an OCI layout directory, in sorted order. Symlinks are aliases inside the
* directory (never followed outside it); other special files are refused.
*/
async function* directoryEntries(root) {
	async function* walk(rel) {
		const dirents = await readdir(rel === "" ? root : join(root, rel), { withFileTypes: true });
		dirents.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
		for (const d of dirents) {
			const name = rel === "" ? d.name : `${rel}/${d.name}`;
			const abs = join(root, name);
			if (d.isDirectory()) {
				yield {
					kind: "dir",
					name
				};
				yield* walk(name);
			} else if (d.isSymbolicLink()) yield {
				kind: "alias",
				name,
				target: resolveLink(name, await readlink(abs), true)
			};
			else if (d.isFile()) yield {
				kind: "file",
				name,
				size: (await lstat(abs)).size,
				body: createReadStream(abs, { highWaterMark: 1 << 20 })
			};
			else throw new HostileArchiveError(`refusing special file in image layout: ${name}`);
		}
	}
	yield* walk("");
}
var TruncatedArchiveError;
var init_entries = __esmMin((() => {
	init_layer_ingest();
	init_tar_safety();
	init_errors$2();
	TruncatedArchiveError = class extends StrataError {
		constructor(detail) {
			super("data-loss", `truncated archive: ${detail}`);
		}
	};
}));
// src/main/engine/archive/load.ts
/**
* `docker load`: reads a `docker save` archive (legacy per-layer folders or the Docker 25+
* OCI-based layout) or an OCI image layout (tar or directory) in one streaming pass. Since
* manifest.json often comes last, every large member is ingested as it streams by (as a layer
* when it looks like a tar, else as a plain blob), small ones are kept; the manifests are resolved
* at the end. Everything happens under a gc lease; content nobody ends up referencing is removed
* again, and a refused archive leaves no rows and no blobs behind.
*/
async function loadImages(engine, source, options = {}) {
	return engine.gc.withLease(async () => {
		const pass = new ArchivePass(engine, options);
		try {
			await pass.read(await openSource(source));
			const planned = await pass.plan();
			options.signal?.throwIfAborted();
			return await pass.commit(planned);
		} finally {
			pass.removeUnreferenced();
		}
	});
}
async function openSource(source) {
	if ("stream" in source) return tarEntries(source.stream);
	let isDir;
	try {
		isDir = statSync(source.path).isDirectory();
	} catch (err) {
		throw new StrataError(errorCode(err), `open ${source.path}: ${err.code === "ENOENT" ? "no such file or directory" : err.message}`, { cause: err });
	}
	if (isDir) return directoryEntries(source.path);
	return tarEntries(createReadStream(source.path, { highWaterMark: 1 << 20 }));
}
/** `blobs/sha256/<hex>` → the digest the name promises. */
function blobDigestOf(name) {
	const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
	return m ? `sha256:${m[1]}` : void 0;
}
function blobPath(digest, what) {
	if (!isDigest(digest)) throw new InvalidArchiveError(`invalid ${what} descriptor: digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>`);
	return `blobs/sha256/${digest.slice(7)}`;
}
function mismatch(name, expected, actual) {
	return new InvalidArchiveError(`digest mismatch for ${name}: expected ${expected}, content hashes to ${actual}`);
}
function progressId(name) {
	const hex = /([a-f0-9]{64})/.exec(name);
	return hex ? hex[1].slice(0, 12) : name;
}
async function readAll(body, size, name) {
	const chunks = [];
	let n = 0;
	for await (const c of body) {
		chunks.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
		n += c.byteLength;
	}
	if (n !== size) throw new InvalidArchiveError(`truncated archive: ${name} has ${n} of ${size} bytes`);
	return Buffer.concat(chunks, n);
}
function parseConfig(bytes, path) {
	let config;
	try {
		config = JSON.parse(bytes.toString("utf8"));
	} catch (err) {
		throw new InvalidArchiveError(`invalid image config ${path}: ${err.message}`);
	}
	if (!config || typeof config !== "object" || !config.rootfs || !Array.isArray(config.rootfs.diff_ids)) throw new InvalidArchiveError(`invalid image config ${path}: rootfs.diff_ids missing`);
	return config;
}
function checkDiffIds(config, layers, path) {
	const diffIds = config.rootfs.diff_ids;
	if (diffIds.length !== layers.length) throw new InvalidArchiveError(`layers do not match the image config ${path}: the manifest lists ${layers.length} layers, the config has ${diffIds.length} diff IDs`);
	layers.forEach((l, i) => {
		if (l.diffId !== diffIds[i]) throw new InvalidArchiveError(`layers do not match the image config ${path}: layer ${i} has diff ID ${l.diffId}, the config expects ${diffIds[i]}`);
	});
}
function toLayerInput(l, mediaType) {
	return {
		blobDigest: l.blob.digest,
		blobSize: l.blob.size,
		mediaType,
		compression: l.compression,
		diffId: l.diffId,
		size: l.size,
		diffSize: l.diffSize,
		files: l.files
	};
}
function sameBlobs(manifest, layers) {
	return manifest.layers.length === layers.length && manifest.layers.every((d, i) => d.digest === layers[i].blobDigest);
}
/** Familiar names from RepoTags, refusing ones docker would not accept. */
function validTags(tags) {
	return tags.map((t) => {
		if (typeof t !== "string") throw new InvalidArchiveError(`invalid RepoTags entry ${JSON.stringify(t)} in manifest.json`);
		try {
			const ref = parseReference(t);
			if (ref.digest) throw new Error("digest");
			return familiarString(ref);
		} catch {
			throw new InvalidArchiveError(`invalid RepoTags entry ${JSON.stringify(t)} in manifest.json: invalid reference format`);
		}
	});
}
/**
* Tags from OCI annotations: containerd's full `io.containerd.image.name`, else
* `org.opencontainers.image.ref.name` when it is a whole reference (`busybox:latest`,
* `localhost/a:1`). A bare tag (`latest`) names no repository, so the image loads untagged.
*/
function tagsFromAnnotations(annotations) {
	const full = annotations?.["io.containerd.image.name"];
	const refName = annotations?.["org.opencontainers.image.ref.name"];
	for (const candidate of [full, refName && /[:/@]/.test(refName) ? refName : void 0]) {
		if (!candidate) continue;
		try {
			const ref = parseReference(candidate);
			if (!ref.digest) return [familiarString(ref)];
		} catch {}
	}
	return [];
}
/** From a list of platform manifests, the ones to load: all of them unless several platforms exist, then the host's. */
function pickPlatform(descs, present) {
	const available = descs.filter((d) => isDigest(d?.digest) && present(d));
	const withPlatform = available.filter((d) => d.platform);
	if (withPlatform.length <= 1) {
		const missing = descs.find((d) => !available.includes(d));
		if (available.length === 0 && missing) throw new InvalidArchiveError(`index.json references ${blobPath(missing.digest, "index")}, which is not in the archive`);
		return available;
	}
	const host = hostPlatform();
	return [withPlatform.find((d) => d.platform.os === host.os && d.platform.architecture === host.architecture) ?? withPlatform[0], ...available.filter((d) => !d.platform)];
}
/** One image per config, with the tags of every entry that named it. */
function mergeByConfig(planned) {
	const byId = /* @__PURE__ */ new Map();
	for (const p of planned) {
		const id = digestOf(p.configBytes);
		const prev = byId.get(id);
		if (!prev) byId.set(id, {
			...p,
			tags: [...new Set(p.tags)]
		});
		else {
			prev.tags = [.../* @__PURE__ */ new Set([...prev.tags, ...p.tags])];
			prev.manifest ??= p.manifest;
		}
	}
	return [...byId.values()];
}
function isTagged(refs, familiar) {
	return refs.some((r) => familiarString(parseReference(r)) === familiar);
}
var SMALL_ENTRY, SMALL_TOTAL, InvalidArchiveError, ArchivePass;
var init_load = __esmMin((() => {
	init_content_store();
	init_digest();
	init_format();
	init_layer_ingest();
	init_tar_safety();
	init_oci();
	init_reference();
	init_event_log();
	init_entries();
	init_errors$2();
	SMALL_ENTRY = 1 << 20;
	SMALL_TOTAL = 64 << 20;
	InvalidArchiveError = class extends StrataError {
		constructor(message) {
			super("invalid", message);
		}
	};
	ArchivePass = class {
		engine;
		options;
		members = /* @__PURE__ */ new Map();
		aliases = /* @__PURE__ */ new Map();
		/** Blob digests this load committed to the content store (candidates for removal). */
		written = /* @__PURE__ */ new Set();
		kept = 0;
		constructor(engine, options) {
			this.engine = engine;
			this.options = options;
		}
		async read(entries) {
			try {
				for await (const e of entries) {
					this.options.signal?.throwIfAborted();
					if (e.kind === "alias") this.aliases.set(e.name, e.target);
					else if (e.kind === "file") this.members.set(e.name, await this.readCounted(e.name, e.size, e.body));
				}
			} catch (err) {
				throw archiveError(err);
			}
		}
		/** Reads one member; a body that stops short of its header's size means the archive was cut. */
		async readCounted(name, size, body) {
			let seen = 0;
			const counted = (async function* () {
				for await (const chunk of body) {
					seen += chunk.length;
					yield chunk;
				}
			})();
			try {
				return await this.readFile(name, size, counted);
			} catch (err) {
				if (err instanceof HostileArchiveError || seen >= size) throw err;
				if (/end of data|end of file|premature close|truncated/i.test(err.message)) throw new TruncatedArchiveError(`${name} ends after ${seen} of ${size} bytes`);
				throw err;
			}
		}
		async readFile(name, size, body) {
			const expected = blobDigestOf(name);
			if (size <= SMALL_ENTRY && this.kept + size <= SMALL_TOTAL) {
				const data = await readAll(body, size, name);
				if (expected && digestOf(data) !== expected) throw mismatch(name, expected, digestOf(data));
				this.kept += data.length;
				return {
					kind: "bytes",
					data
				};
			}
			const { head, stream } = await peek(body, 512);
			const progress = this.progressFor(name, size, stream);
			try {
				if (detectCompression(head) !== "none" || isTarHeader(head)) {
					const layer = await ingestLayer(this.engine.content, progress, {
						...expected ? { digest: expected } : {},
						size
					});
					this.written.add(layer.blob.digest);
					this.options.onProgress?.({
						id: progressId(name),
						status: "Loading layer",
						current: size,
						total: size
					});
					return {
						kind: "layer",
						layer
					};
				}
				const blob = await this.engine.content.ingest(progress, {
					...expected ? { digest: expected } : {},
					size
				});
				this.written.add(blob.digest);
				return {
					kind: "blob",
					digest: blob.digest,
					size: blob.size
				};
			} catch (err) {
				if (err instanceof DigestMismatchError) throw mismatch(name, err.expected, err.actual);
				if (err instanceof SizeMismatchError) throw new InvalidArchiveError(`truncated archive: ${name} ended early`);
				throw err;
			}
		}
		progressFor(name, total, stream) {
			const sink = this.options.onProgress;
			if (!sink) return stream;
			const id = progressId(name);
			return (async function* () {
				let current = 0;
				let reported = 0;
				for await (const chunk of stream) {
					current += chunk.length;
					if (current - reported >= 1 << 20) {
						reported = current;
						sink({
							id,
							status: "Loading layer",
							current,
							total
						});
					}
					yield chunk;
				}
			})();
		}
		/** Follows `docker save`'s symlinks to the member they name. */
		resolve(path) {
			let p = path;
			for (let hops = 0; hops < 16 && this.aliases.has(p); hops++) p = this.aliases.get(p);
			if (this.aliases.has(p)) throw new HostileArchiveError(`refusing link loop in archive at ${path}`);
			return p;
		}
		member(path, what) {
			const m = this.members.get(this.resolve(path));
			if (!m) throw new InvalidArchiveError(`${what} references ${path}, which is not in the archive`);
			return m;
		}
		has(path) {
			return this.members.has(this.resolve(path));
		}
		bytes(path, what) {
			const m = this.member(path, what);
			if (m.kind === "bytes") return m.data;
			if (m.kind === "blob") return this.engine.content.readBytes(m.digest);
			throw new InvalidArchiveError(`${path} is a layer tar, but ${what} uses it as JSON`);
		}
		json(path, what) {
			const data = this.bytes(path, what);
			try {
				return JSON.parse(data.toString("utf8"));
			} catch (err) {
				throw new InvalidArchiveError(`invalid JSON in ${path}: ${err.message}`);
			}
		}
		/** The layer stored from a member, ingesting it now if it was kept in memory or as a plain blob. */
		async layer(path, what) {
			const real = this.resolve(path);
			const m = this.member(real, what);
			if (m.kind === "layer") return m.layer;
			const source = m.kind === "bytes" ? Readable.from([m.data]) : this.engine.content.read(m.digest);
			try {
				const layer = await ingestLayer(this.engine.content, source);
				this.written.add(layer.blob.digest);
				this.members.set(real, {
					kind: "layer",
					layer
				});
				return layer;
			} catch (err) {
				throw new InvalidArchiveError(`${real}: ${err.message}`);
			}
		}
		/** Resolves the archive's manifests into images, checking every layer against its config. */
		async plan() {
			const hasDockerManifest = this.has("manifest.json");
			const hasIndex = this.has("index.json");
			if (!hasDockerManifest && !hasIndex) throw new InvalidArchiveError("invalid archive: no manifest.json (docker save) or index.json (OCI layout) found");
			if (hasDockerManifest) {
				let oci = [];
				try {
					oci = hasIndex ? this.ociManifests() : [];
				} catch {
					oci = [];
				}
				return this.planDockerArchive(oci);
			}
			const oci = this.ociManifests();
			if (oci.length === 0) throw new InvalidArchiveError("invalid archive: index.json lists no image manifests");
			const planned = [];
			for (const m of oci) planned.push(await this.planOci(m));
			return mergeByConfig(planned);
		}
		async planDockerArchive(oci) {
			const entries = this.json("manifest.json", "the archive");
			if (!Array.isArray(entries)) throw new InvalidArchiveError("invalid manifest.json: expected a JSON array");
			const planned = [];
			for (const raw of entries) {
				if (typeof raw?.Config !== "string" || !Array.isArray(raw.Layers) || raw.Layers.some((l) => typeof l !== "string")) throw new InvalidArchiveError("invalid manifest.json: each entry needs a Config path and a Layers list");
				const configBytes = this.bytes(raw.Config, "manifest.json");
				const configDigest = digestOf(configBytes);
				const named = /^([a-f0-9]{64})\.json$/.exec(raw.Config.split("/").pop() ?? "");
				if (named && `sha256:${named[1]}` !== configDigest) throw mismatch(raw.Config, `sha256:${named[1]}`, configDigest);
				const config = parseConfig(configBytes, raw.Config);
				const match = oci.find((m) => m.manifest.config.digest === configDigest);
				const layers = [];
				for (const [i, path] of raw.Layers.entries()) {
					const l = await this.layer(path, "manifest.json");
					const desc = match?.manifest.layers[i];
					layers.push(toLayerInput(l, desc?.digest === l.blob.digest ? desc.mediaType : layerMediaType(l.compression, match ? "oci" : "docker")));
				}
				checkDiffIds(config, layers, raw.Config);
				planned.push({
					configBytes,
					...match && sameBlobs(match.manifest, layers) ? { manifest: {
						bytes: match.bytes,
						mediaType: match.mediaType
					} } : {},
					layers,
					tags: validTags(raw.RepoTags ?? [])
				});
			}
			return mergeByConfig(planned);
		}
		async planOci(found) {
			const { manifest } = found;
			const configPath = blobPath(manifest.config.digest, "manifest");
			const configBytes = this.bytes(configPath, `manifest ${shortId(found.digest)}`);
			if (configBytes.length !== manifest.config.size) throw new InvalidArchiveError(`size mismatch for ${configPath}: manifest says ${manifest.config.size} bytes, archive has ${configBytes.length}`);
			const config = parseConfig(configBytes, configPath);
			const layers = [];
			for (const desc of manifest.layers) {
				const path = blobPath(desc.digest, "manifest layer");
				const l = await this.layer(path, `manifest ${shortId(found.digest)}`);
				if (l.blob.size !== desc.size) throw new InvalidArchiveError(`size mismatch for ${path}: manifest says ${desc.size} bytes, archive has ${l.blob.size}`);
				layers.push(toLayerInput(l, desc.mediaType));
			}
			checkDiffIds(config, layers, configPath);
			return {
				configBytes,
				manifest: {
					bytes: found.bytes,
					mediaType: found.mediaType
				},
				layers,
				tags: found.tags
			};
		}
		/** Every image manifest index.json leads to (through nested indexes), with the tags annotated on the way. */
		ociManifests() {
			const index = this.json("index.json", "the archive");
			if (!index || !Array.isArray(index.manifests)) throw new InvalidArchiveError("invalid index.json: no manifests list");
			const found = [];
			const visit = (descs, tags, depth) => {
				if (depth > 4) throw new InvalidArchiveError("invalid index.json: indexes nested too deeply");
				for (const desc of pickPlatform(descs, (d) => this.has(blobPath(d.digest, "index")))) {
					const own = [...tags, ...tagsFromAnnotations(desc.annotations)];
					const path = blobPath(desc.digest, "index");
					const bytes = this.bytes(path, "index.json");
					let doc;
					try {
						doc = JSON.parse(bytes.toString("utf8"));
					} catch (err) {
						throw new InvalidArchiveError(`invalid JSON in ${path}: ${err.message}`);
					}
					const mediaType = desc.mediaType ?? doc.mediaType;
					if (isIndexMediaType(mediaType) || !doc.config && Array.isArray(doc.manifests)) visit(doc.manifests ?? [], own, depth + 1);
					else if (isManifestMediaType(mediaType) || doc.config) {
						if (!doc.config || !Array.isArray(doc.layers)) throw new InvalidArchiveError(`invalid image manifest ${path}: config or layers missing`);
						found.push({
							digest: desc.digest,
							bytes,
							mediaType: mediaType ?? MediaType.OciManifest,
							manifest: doc,
							tags: own
						});
					}
				}
			};
			visit(index.manifests, [], 0);
			return found;
		}
		/** Records every planned image (each in one transaction) and reports docker's notes. */
		async commit(planned) {
			const { content, images } = this.engine;
			const result = {
				images: [],
				notes: []
			};
			for (const p of planned) {
				const config = await content.put(p.configBytes);
				this.written.add(config.digest);
				let manifest;
				if (p.manifest) {
					manifest = await content.put(p.manifest.bytes);
					this.written.add(manifest.digest);
				}
				for (const t of p.tags) {
					const prev = images.tryResolve(t);
					if (prev && prev !== config.digest && isTagged(images.tagsOf(prev), t)) result.notes.push(`The image ${t} already exists, renaming the old one with ID ${prev} to empty string`);
				}
				const existing = images.get(config.digest) ? images.layers(config.digest) : void 0;
				if (existing && existing.some((l, i) => l.blobDigest !== p.layers[i]?.blobDigest)) manifest = void 0;
				images.commit({
					configDigest: config.digest,
					configSize: config.size,
					...manifest && p.manifest ? {
						manifestDigest: manifest.digest,
						manifestSize: manifest.size,
						manifestMediaType: p.manifest.mediaType
					} : {},
					layers: p.layers,
					tags: p.tags,
					events: [imageEvent("load", config.digest, config.digest, JSON.parse(p.configBytes.toString("utf8")).config?.Labels ?? {})]
				});
				result.images.push({
					id: config.digest,
					repoTags: p.tags
				});
			}
			return result;
		}
		/**
		* Deletes blob files this load wrote that no row names (speculative ingests nothing used, or
		* everything after a refusal). Only when no other operation holds a lease: a concurrent ingest
		* might be about to record the same content, and gc will sweep later anyway.
		*/
		removeUnreferenced() {
			const db = this.engine.db;
			db.transaction(() => {
				if (db.prepare("SELECT pid FROM leases").all().map((r) => r.pid).filter(processAlive).length > 1) return;
				const known = db.prepare("SELECT 1 FROM blobs WHERE digest = ?");
				for (const d of this.written) if (!known.get(d)) this.engine.content.delete(d);
			}).immediate();
		}
	};
}));
// src/main/engine/archive/sink.ts
var EPOCH, TarSink, DirectorySink;
var init_sink = __esmMin((() => {
	init_errors$2();
	EPOCH = /* @__PURE__ */ new Date(0);
	TarSink = class {
		pack = tar.pack();
		done;
		constructor(out, end = true) {
			this.done = pipeline(this.pack, out, { end });
			this.done.catch(() => {});
		}
		async dir(name) {
			await this.write({
				name: `${name}/`,
				type: "directory",
				mode: 493,
				size: 0
			}, Buffer.alloc(0));
		}
		async bytes(name, data) {
			await this.write({
				name,
				type: "file",
				mode: 420,
				size: data.length
			}, data);
		}
		write(header, data) {
			return new Promise((resolve, reject) => {
				this.pack.entry({
					...header,
					mtime: EPOCH,
					uid: 0,
					gid: 0,
					uname: "",
					gname: ""
				}, data, (err) => err ? reject(err) : resolve());
			});
		}
		async stream(name, size, source) {
			let w;
			const finished = new Promise((resolve, reject) => {
				const header = {
					name,
					type: "file",
					mode: 420,
					size,
					mtime: EPOCH,
					uid: 0,
					gid: 0,
					uname: "",
					gname: ""
				};
				w = this.pack.entry(header, (err) => err ? reject(err) : resolve());
			});
			finished.catch(() => {});
			for await (const chunk of source) if (!w.write(chunk)) await once(w, "drain");
			w.end();
			await finished;
		}
		async finish() {
			this.pack.finalize();
			await this.done;
		}
		async abort() {
			this.pack.destroy();
			await this.done.catch(() => {});
		}
	};
	DirectorySink = class DirectorySink {
		root;
		created = [];
		constructor(root) {
			this.root = root;
		}
		static async open(root) {
			await mkdir(root, { recursive: true });
			if ((await readdir(root)).length > 0) throw new StrataError("already-exists", `output directory ${root} is not empty`);
			return new DirectorySink(root);
		}
		async dir(name) {
			await mkdir(join(this.root, name), { recursive: true });
		}
		async bytes(name, data) {
			const target = join(this.root, name);
			await mkdir(dirname(target), { recursive: true });
			await writeFile(`${target}.tmp`, data);
			await rename(`${target}.tmp`, target);
			this.created.push(target);
		}
		async stream(name, size, source) {
			const target = join(this.root, name);
			await mkdir(dirname(target), { recursive: true });
			const out = createWriteStream(`${target}.tmp`);
			let written = 0;
			await pipeline(source, async function* (chunks) {
				for await (const c of chunks) {
					written += c.length;
					yield c;
				}
			}, out);
			if (written !== size) throw new Error(`${name}: wrote ${written} bytes, expected ${size}`);
			await rename(`${target}.tmp`, target);
		}
		async finish() {}
		async abort() {
			await rm(join(this.root, "blobs"), {
				recursive: true,
				force: true
			});
			await rm(join(this.root, "index.json"), { force: true });
			await rm(join(this.root, "oci-layout"), { force: true });
		}
	};
}));
// src/main/engine/archive/save.ts
/**
* Which images and names `save` writes, like docker: `repo:tag` saves that tag, a bare `repo`
* every tag of the repository, an ID the image without names.
*/
function selectImages(engine, names) {
	const byId = /* @__PURE__ */ new Map();
	const add = (id, tags) => {
		const sel = byId.get(id) ?? {
			id,
			tags: []
		};
		for (const t of tags) if (!sel.tags.includes(t)) sel.tags.push(t);
		byId.set(id, sel);
	};
	for (const name of names) {
		const ref = referenceOf(name);
		if (ref && ref.tag !== void 0) {
			const row = engine.db.prepare("SELECT image_id FROM tags WHERE reference = ?").get(formatReference(ref));
			if (row) {
				add(row.image_id, [familiarString(ref)]);
				continue;
			}
		} else if (ref && ref.digest === void 0) {
			const rows = engine.db.prepare("SELECT reference, image_id FROM tags WHERE repository = ? ORDER BY reference").all(`${ref.domain}/${ref.path}`);
			if (rows.length > 0) {
				for (const r of rows) add(r.image_id, [familiarString(parseReference(r.reference))]);
				continue;
			}
		}
		add(engine.images.resolve(name), []);
	}
	return [...byId.values()];
}
function referenceOf(name) {
	if (isFullHexId(name) || isDigest(name)) return void 0;
	try {
		return parseReference(name, { defaultTag: false });
	} catch {
		return;
	}
}
/** Writes the selected images as a tar (docker-archive or OCI layout) to `out`. */
async function saveImages(engine, selection, out, options = {}) {
	const sink = new TarSink(out, options.end ?? true);
	try {
		await writeArchive(engine, selection, sink, options);
		await sink.finish();
		announceSaved(engine, selection);
	} catch (err) {
		await sink.abort();
		throw err;
	}
}
/** Writes the selected images as an OCI layout directory (which must be empty or absent). */
async function saveOciDirectory(engine, selection, dir, options = {}) {
	const sink = await DirectorySink.open(dir);
	try {
		await writeArchive(engine, selection, sink, {
			...options,
			format: "oci"
		});
		await sink.finish();
		announceSaved(engine, selection);
	} catch (err) {
		await sink.abort();
		throw err;
	}
}
/** docker announces each image it exported, under its ID. */
function announceSaved(engine, selection) {
	engine.events.announce(...selection.map((s) => imageEvent("save", s.id, s.id, engine.images.get(s.id)?.labels ?? {})));
}
async function writeArchive(engine, selection, sink, options) {
	const format = options.format ?? "docker-archive";
	const planned = selection.map((s) => format === "oci" ? ociManifest(engine, s) : dockerManifest(engine, s));
	const written = /* @__PURE__ */ new Set();
	await sink.dir("blobs");
	await sink.dir("blobs/sha256");
	const blob = async (digest, write) => {
		if (written.has(digest)) return;
		written.add(digest);
		options.signal?.throwIfAborted();
		await write();
	};
	for (const p of planned) {
		for (const l of p.layers) await blob(l.digest, async () => {
			options.onProgress?.({
				id: shortId(l.digest),
				status: "Saving layer",
				current: 0,
				total: l.size
			});
			const stored = engine.content.read(l.layer.blobDigest);
			const source = l.decompress && l.layer.compression !== "none" ? decompressed$1(stored, l.layer.compression) : stored;
			await sink.stream(blobName(l.digest), l.size, source);
			options.onProgress?.({
				id: shortId(l.digest),
				status: "Saved layer",
				current: l.size,
				total: l.size
			});
		});
		await blob(p.configDigest, () => sink.bytes(blobName(p.configDigest), engine.images.readConfigBytes(p.selection.id)));
		const manifestDigest = digestOf(p.bytes);
		await blob(manifestDigest, () => sink.bytes(blobName(manifestDigest), p.bytes));
	}
	const index = {
		schemaVersion: 2,
		mediaType: MediaType.OciIndex,
		manifests: planned.flatMap(indexEntries)
	};
	const manifestJson = planned.map((p) => ({
		Config: blobName(p.configDigest),
		RepoTags: p.selection.tags.length > 0 ? p.selection.tags : null,
		Layers: p.layers.map((l) => blobName(l.digest))
	}));
	await sink.bytes("manifest.json", Buffer.from(JSON.stringify(manifestJson)));
	await sink.bytes("oci-layout", Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
	await sink.bytes("index.json", Buffer.from(JSON.stringify(index)));
}
async function* decompressed$1(source, compression) {
	const unpack = decompressor(compression);
	const done = pipeline(source, unpack);
	done.catch(() => {});
	for await (const chunk of unpack) yield chunk;
	await done;
}
function blobName(digest) {
	return `blobs/sha256/${digest.slice(7)}`;
}
/** docker-archive layers are the uncompressed tars, named by diff ID (what every loader expects). */
function dockerManifest(engine, selection) {
	const configDigest = selection.id;
	const layers = engine.images.layers(selection.id).map((layer) => ({
		digest: layer.diffId,
		size: layer.size,
		layer,
		decompress: true
	}));
	const manifest = {
		schemaVersion: 2,
		mediaType: MediaType.OciManifest,
		config: {
			mediaType: MediaType.OciConfig,
			digest: configDigest,
			size: engine.content.size(configDigest) ?? 0
		},
		layers: layers.map((l) => ({
			mediaType: MediaType.OciLayer,
			digest: l.digest,
			size: l.size
		}))
	};
	return {
		selection,
		configDigest,
		bytes: Buffer.from(JSON.stringify(manifest)),
		mediaType: MediaType.OciManifest,
		layers
	};
}
/** OCI layout: the stored blobs as they are, under the image's own OCI manifest when it has one. */
function ociManifest(engine, selection) {
	const configDigest = selection.id;
	const stored = engine.images.layers(selection.id);
	const layers = stored.map((layer) => ({
		digest: layer.blobDigest,
		size: layer.blobSize,
		layer,
		decompress: false
	}));
	const record = engine.images.get(selection.id);
	const original = record?.manifestDigest ? readOciManifest(engine, record.manifestDigest) : void 0;
	if (original && original.manifest.config.digest === configDigest && original.manifest.layers.length === layers.length && original.manifest.layers.every((d, i) => d.digest === layers[i].digest)) return {
		selection,
		configDigest,
		bytes: original.bytes,
		mediaType: MediaType.OciManifest,
		layers
	};
	const manifest = {
		schemaVersion: 2,
		mediaType: MediaType.OciManifest,
		config: {
			mediaType: MediaType.OciConfig,
			digest: configDigest,
			size: engine.content.size(configDigest) ?? 0
		},
		layers: stored.map((l) => ({
			mediaType: layerMediaType(l.compression, "oci"),
			digest: l.blobDigest,
			size: l.blobSize
		}))
	};
	return {
		selection,
		configDigest,
		bytes: Buffer.from(JSON.stringify(manifest)),
		mediaType: MediaType.OciManifest,
		layers
	};
}
function readOciManifest(engine, digest) {
	if (!engine.content.has(digest)) return void 0;
	const bytes = engine.content.readBytes(digest);
	try {
		const manifest = JSON.parse(bytes.toString("utf8"));
		return manifest.mediaType === MediaType.OciManifest && manifest.config?.mediaType === MediaType.OciConfig && manifest.layers.every((l) => l.mediaType.startsWith("application/vnd.oci.image.layer.")) ? {
			bytes,
			manifest
		} : void 0;
	} catch {
		return;
	}
}
/**
* index.json names each tag as containerd and Docker 25 do: the full name in
* `io.containerd.image.name`, the tag in `org.opencontainers.image.ref.name` (what
* `skopeo … oci:DIR:TAG` and `umoci … DIR:TAG` look up).
*/
function indexEntries(p) {
	const base = {
		mediaType: p.mediaType,
		digest: digestOf(p.bytes),
		size: p.bytes.length
	};
	if (p.selection.tags.length === 0) return [base];
	return p.selection.tags.map((t) => {
		const ref = parseReference(t);
		return {
			...base,
			annotations: {
				"io.containerd.image.name": formatReference(ref),
				"org.opencontainers.image.ref.name": ref.tag ?? "latest"
			}
		};
	});
}
var init_save = __esmMin((() => {
	init_digest();
	init_format();
	init_layer_ingest();
	init_oci();
	init_reference();
	init_sink();
	init_event_log();
}));
// src/main/engine/archive/dir-tar.ts
/**
* A directory as a tar stream (the rootfs of `import DIR`): entries in sorted order, each with its
* own mode, owner and mtime, so the same tree gives the same diff ID. Symlinks are stored as
* links and never followed; a file seen twice through hardlinks is stored once and linked;
* sockets are skipped (docker's archiver does the same).
*/
function directoryTar(root) {
	const pack = tar.pack();
	walkInto(pack, root).then(() => pack.finalize(), (err) => pack.destroy(err));
	return pack;
}
async function walkInto(pack, root) {
	const seen = /* @__PURE__ */ new Map();
	const add = (header, data) => new Promise((resolve, reject) => {
		pack.entry(header, data ?? Buffer.alloc(0), (err) => err ? reject(err) : resolve());
	});
	async function walk(rel) {
		const names = (await readdir(rel === "" ? root : join(root, rel))).sort();
		for (const name of names) {
			const path = rel === "" ? name : `${rel}/${name}`;
			const abs = join(root, path);
			const st = await lstat(abs);
			const base = headerOf(path, st);
			if (st.isDirectory()) {
				await add({
					...base,
					name: `${path}/`,
					type: "directory"
				});
				await walk(path);
			} else if (st.isSymbolicLink()) await add({
				...base,
				type: "symlink",
				linkname: await readlink(abs)
			});
			else if (st.isFile()) {
				const inode = `${st.dev}:${st.ino}`;
				const first = st.nlink > 1 ? seen.get(inode) : void 0;
				if (first !== void 0) {
					await add({
						...base,
						type: "link",
						linkname: first
					});
					continue;
				}
				if (st.nlink > 1) seen.set(inode, path);
				await streamFile(pack, {
					...base,
					type: "file",
					size: st.size
				}, abs);
			} else if (st.isFIFO()) await add({
				...base,
				type: "fifo"
			});
			else if (st.isCharacterDevice() || st.isBlockDevice()) await add({
				...base,
				type: st.isCharacterDevice() ? "character-device" : "block-device",
				devmajor: Math.floor(st.rdev / 256),
				devminor: st.rdev % 256
			});
		}
	}
	await walk("");
}
function headerOf(path, st) {
	return {
		name: path,
		mode: st.mode & 4095,
		uid: st.uid,
		gid: st.gid,
		mtime: /* @__PURE__ */ new Date(Math.floor(st.mtimeMs / 1e3) * 1e3),
		size: 0
	};
}
async function streamFile(pack, header, abs) {
	let entry;
	const done = new Promise((resolve, reject) => {
		entry = pack.entry(header, (err) => err ? reject(err) : resolve());
	});
	done.catch(() => {});
	for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) if (!entry.write(chunk)) await once(entry, "drain");
	entry.end();
	await done;
}
var init_dir_tar = __esmMin((() => {}));
// src/main/engine/archive/import.ts
/**
* `docker import`: one layer from a rootfs tarball (uncompressed, gzip or zstd, kept as received)
* or a directory, with a config and one history entry as moby's ImportImage writes them. Local
* input is named `-` in the default message, as the docker CLI streams local files as stdin.
*/
async function importImage(engine, source, options = {}) {
	const tags = [];
	if (options.reference) {
		if (parseReference(options.reference).digest) throw new InvalidReferenceError();
		tags.push(options.reference);
	}
	const runtime = applyConfigChanges({}, options.changes ?? []);
	const message = options.message || "Imported from -";
	const platform = options.platform ? parsePlatform$1(options.platform) : hostPlatform();
	const stream = openImportSource(source);
	return engine.gc.withLease(async () => {
		const layer = await ingestLayer(engine.content, stream);
		const created = (/* @__PURE__ */ new Date()).toISOString();
		const config = {
			architecture: platform.architecture,
			...platform.variant ? { variant: platform.variant } : {},
			comment: message,
			config: runtime,
			created,
			history: [{
				created,
				comment: message
			}],
			os: platform.os,
			rootfs: {
				type: "layers",
				diff_ids: [layer.diffId]
			}
		};
		return writeImage(engine.content, engine.images, {
			config,
			layers: [{
				blobDigest: layer.blob.digest,
				blobSize: layer.blob.size,
				compression: layer.compression,
				diffId: layer.diffId,
				size: layer.size,
				diffSize: layer.diffSize,
				files: layer.files
			}],
			tags,
			events: (id) => [imageEvent("import", id, id, runtime.Labels ?? {})]
		});
	});
}
/** `linux/arm64/v8` → { os, architecture, variant }. */
function parsePlatform$1(spec) {
	const [os, architecture, variant, extra] = spec.toLowerCase().split("/");
	if (!os || !architecture || extra !== void 0) throw new StrataError("invalid", `"${spec}": unknown operating system or architecture: invalid argument`);
	return {
		os,
		architecture,
		...variant ? { variant } : {}
	};
}
function openImportSource(source) {
	if ("stream" in source) return source.stream;
	let isDir;
	try {
		isDir = statSync(source.path).isDirectory();
	} catch (err) {
		throw new StrataError(errorCode(err), `open ${source.path}: ${err.code === "ENOENT" ? "no such file or directory" : err.message}`, { cause: err });
	}
	return isDir ? directoryTar(source.path) : createReadStream(source.path, { highWaterMark: 1 << 20 });
}
var init_import = __esmMin((() => {
	init_layer_ingest();
	init_image_writer();
	init_oci();
	init_reference();
	init_event_log();
	init_config_changes();
	init_dir_tar();
	init_errors$2();
}));
// src/main/cli/commands/archive.ts
init_units();
init_load();
init_save();
init_import();
init_errors$2();
/** docker's progress bar (jsonmessage): `[=====>      ]  1.2MB/5.6MB`, 50 columns plus the head. */
function progressBar$1(current, total) {
	const width = 50;
	const filled = total > 0 ? Math.min(width, Math.floor(current / total * width)) : 0;
	return `[${"=".repeat(filled)}>${" ".repeat(width - filled)}] ${`${humanSize(current)}`.padStart(8)}/${humanSize(total)}`;
}
/** Progress on a terminal only (docker prints none when output is redirected): one line per layer. */
function progressPrinter(ctx, quiet) {
	if (quiet || !ctx.stdout.isTTY) return void 0;
	let line;
	return {
		sink(e) {
			if (line !== void 0 && line !== e.id) ctx.stdout.write("\n");
			line = e.id;
			const amount = e.total ? ` ${progressBar$1(e.current ?? 0, e.total)}` : "";
			ctx.stdout.write(`\r\x1b[2K${e.id ? `${e.id}: ` : ""}${e.status}${amount}`);
		},
		end() {
			if (line !== void 0) ctx.stdout.write("\n");
		}
	};
}
const loadCommand = {
	path: ["load"],
	aliases: [["image", "load"]],
	usage: "strata load [OPTIONS]",
	description: "Load an image from a tar archive or STDIN (docker save archives, OCI layouts)",
	flags: [{
		name: "input",
		short: "i",
		type: "string",
		value: "string",
		description: "Read from tar archive file or OCI layout directory, instead of STDIN"
	}, {
		name: "quiet",
		short: "q",
		type: "bool",
		description: "Suppress the load output"
	}],
	maxArgs: 0,
	async run(ctx) {
		const input = flagString(ctx, "input");
		if (input === void 0 && ctx.stdin.isTTY) throw new StrataError("invalid", "requested load from stdin, but stdin is empty");
		const progress = progressPrinter(ctx, flagBool(ctx, "quiet"));
		const result = await loadImages(ctx.engine(), input !== void 0 ? { path: input } : { stream: ctx.stdin }, {
			signal: ctx.signal,
			...progress ? { onProgress: progress.sink } : {}
		});
		progress?.end();
		for (const note of result.notes) ctx.stdout.write(`${note}\n`);
		for (const img of result.images) {
			if (img.repoTags.length === 0) ctx.stdout.write(`Loaded image ID: ${img.id}\n`);
			for (const t of img.repoTags) ctx.stdout.write(`Loaded image: ${t}\n`);
		}
	}
};
const FORMATS = {
	"docker-archive": "docker-archive",
	docker: "docker-archive",
	oci: "oci",
	"oci-archive": "oci-archive",
	"oci-dir": "oci-dir"
};
const saveCommand = {
	path: ["save"],
	aliases: [["image", "save"]],
	usage: "strata save [OPTIONS] IMAGE [IMAGE...]",
	description: "Save one or more images to a tar archive (streamed to STDOUT by default)",
	flags: [{
		name: "output",
		short: "o",
		type: "string",
		value: "string",
		description: "Write to a file (or, for an OCI layout, a directory), instead of STDOUT"
	}, {
		name: "format",
		type: "string",
		value: "string",
		description: "docker-archive (default; read by docker, podman, skopeo), oci (OCI image layout: a directory when --output is one or ends in \"/\", else a tar), oci-archive, oci-dir"
	}],
	minArgs: 1,
	async run(ctx) {
		const formatName = flagString(ctx, "format") ?? "docker-archive";
		let format = FORMATS[formatName];
		if (!format) throw new UsageError(`invalid --format "${formatName}": use docker-archive, oci, oci-archive or oci-dir`);
		const output = flagString(ctx, "output");
		if (format === "oci" && output !== void 0) format = output.endsWith("/") || existsSync(output) && statSync(output).isDirectory() ? "oci-dir" : "oci-archive";
		const engine = ctx.engine();
		const selection = selectImages(engine, ctx.args);
		const saveFormat = format === "docker-archive" ? "docker-archive" : "oci";
		if (format === "oci-dir") {
			if (output === void 0) throw new UsageError("--format oci-dir needs --output DIR");
			await saveOciDirectory(engine, selection, output, { signal: ctx.signal });
			return;
		}
		if (output === void 0) {
			if (ctx.stdout.isTTY) throw new StrataError("invalid", "cowardly refusing to save to a terminal. Use the -o flag or redirect");
			await saveImages(engine, selection, ctx.stdout, {
				format: saveFormat,
				signal: ctx.signal,
				end: false
			});
			return;
		}
		const tmp = `${output}.${randomBytes(4).toString("hex")}.tmp`;
		try {
			await saveImages(engine, selection, createWriteStream(tmp), {
				format: saveFormat,
				signal: ctx.signal
			});
			renameSync(tmp, output);
		} catch (err) {
			rmSync(tmp, { force: true });
			throw err;
		}
	}
};
const importCommand = {
	path: ["import"],
	aliases: [["image", "import"]],
	usage: "strata import [OPTIONS] file|DIR|- [REPOSITORY[:TAG]]",
	description: "Import the contents from a tarball (or a directory) to create a filesystem image",
	flags: [
		{
			name: "change",
			short: "c",
			type: "strings",
			value: "list",
			description: "Apply Dockerfile instruction to the created image"
		},
		{
			name: "message",
			short: "m",
			type: "string",
			value: "string",
			description: "Set commit message for imported image"
		},
		{
			name: "platform",
			type: "string",
			value: "string",
			description: "Set platform (os/arch[/variant]) of the imported image"
		}
	],
	minArgs: 1,
	maxArgs: 2,
	async run(ctx) {
		const [source, reference] = ctx.args;
		const message = flagString(ctx, "message");
		const platform = flagString(ctx, "platform");
		const record = await importImage(ctx.engine(), source === "-" ? { stream: ctx.stdin } : { path: source }, {
			changes: flagStrings(ctx, "change"),
			...reference !== void 0 ? { reference } : {},
			...message !== void 0 ? { message } : {},
			...platform !== void 0 ? { platform } : {}
		});
		ctx.stdout.write(`${record.id}\n`);
	}
};
// src/main/engine/image/history.ts
/**
* An image's history, newest first, as moby's `ImageHistory` builds it: one row per config
* history entry, non-empty entries taking the size of the next layer in `rootfs.diff_ids`.
* Steps that are images in the store get their ID and tags: the image itself, then its parent
* chain (moby walks `Parent`); every other step is `<missing>`.
*/
function imageHistory(engine, input) {
	const id = engine.images.resolve(input);
	const config = engine.images.readConfig(id);
	const diffIds = config.rootfs?.diff_ids ?? [];
	const sizes = layerSizes(engine, diffIds);
	const entries = [];
	let counter = 0;
	for (const h of config.history ?? []) {
		let size = 0;
		const empty = h.empty_layer === true;
		if (!empty) {
			const diffId = diffIds[counter];
			if (diffId === void 0) throw new StrataError("invalid", "too many non-empty layers in History section");
			size = sizes.get(diffId) ?? 0;
			counter++;
		}
		entries.push({
			id: MISSING,
			created: unixSeconds(h.created),
			createdBy: h.created_by ?? "",
			size,
			comment: h.comment ?? "",
			tags: [],
			emptyLayer: empty
		});
	}
	entries.reverse();
	fillImageIds(engine, id, entries);
	return entries;
}
function layerSizes(engine, diffIds) {
	if (diffIds.length === 0) return /* @__PURE__ */ new Map();
	const rows = engine.db.prepare(`SELECT diff_id, diff_size AS size FROM layers WHERE diff_id IN (${diffIds.map(() => "?").join(",")})`).all(...diffIds);
	return new Map(rows.map((r) => [r.diff_id, r.size]));
}
function tagsOf(engine, id) {
	return engine.images.tagsOf(id).map((t) => familiarString(parseReference(t)));
}
function fillImageIds(engine, id, entries) {
	let current = id;
	for (const e of entries) {
		if (!current) break;
		e.id = current;
		e.tags = tagsOf(engine, current);
		const parent = engine.images.get(current)?.parentId;
		current = parent && engine.images.get(parent) ? parent : void 0;
	}
}
var MISSING;
var init_history = __esmMin((() => {
	init_oci();
	init_reference();
	init_errors$2();
	MISSING = "<missing>";
}));
// src/main/engine/image/inspect.ts
function inspectImage(engine, input) {
	const id = engine.images.resolve(input);
	const record = engine.images.get(id);
	const config = engine.images.readConfig(id);
	const lastTag = engine.db.prepare("SELECT max(created_at) AS t FROM tags WHERE image_id = ?").get(id);
	return {
		Id: id,
		RepoTags: record.repoTags,
		RepoDigests: record.repoDigests,
		Parent: record.parentId,
		Comment: typeof config.comment === "string" ? config.comment : "",
		Created: config.created ?? "0001-01-01T00:00:00Z",
		DockerVersion: config.docker_version ?? "",
		Author: config.author ?? "",
		Config: runtimeConfig(config),
		Architecture: config.architecture,
		...config.variant ? { Variant: config.variant } : {},
		Os: config.os,
		...typeof config["os.version"] === "string" ? { OsVersion: config["os.version"] } : {},
		Size: record.size,
		GraphDriver: {
			Data: null,
			Name: "strata"
		},
		RootFS: {
			Type: config.rootfs?.type ?? "layers",
			Layers: config.rootfs?.diff_ids ?? []
		},
		Metadata: { LastTagTime: lastTag.t ? new Date(lastTag.t).toISOString() : "0001-01-01T00:00:00Z" }
	};
}
function runtimeConfig(config) {
	const c = config.config;
	if (!c) return null;
	const out = {};
	for (const k of CONFIG_ORDER) if (c[k] !== void 0) out[k] = c[k];
	for (const [k, v] of Object.entries(c)) if (!(k in out) && v !== void 0) out[k] = v;
	return out;
}
var CONFIG_ORDER;
var init_inspect = __esmMin((() => {
	CONFIG_ORDER = [
		"User",
		"ExposedPorts",
		"Env",
		"Cmd",
		"Healthcheck",
		"ArgsEscaped",
		"Volumes",
		"WorkingDir",
		"Entrypoint",
		"OnBuild",
		"Labels",
		"StopSignal",
		"Shell"
	];
}));
// src/main/engine/image/prune.ts
/**
* `rmi` for one image: ImageService.remove applies docker's untag/delete rules; then, like
* moby's ImageDelete with PruneChildren, parents left without tags, children or users are
* deleted too. Layers are released by the caller's gc run.
*/
function removeImage(engine, input, options = {}) {
	const id = engine.images.resolve(input);
	const parent = engine.images.get(id)?.parentId ?? "";
	const items = engine.images.remove(input, { force: options.force ?? false });
	if (!options.noPrune && items.some((i) => i.deleted === id)) items.push(...pruneParents(engine, parent));
	return items;
}
function pruneParents(engine, parentId) {
	const items = [];
	let current = parentId;
	while (current) {
		const rec = engine.images.get(current);
		if (!rec || rec.repoTags.length > 0 || rec.repoDigests.length > 0) break;
		if (engine.images.children(current).length > 0 || engine.images.usersOf(current).length > 0) break;
		items.push(...engine.images.remove(current));
		current = rec.parentId;
	}
	return items;
}
/**
* `image prune`: dangling images (untagged, no children), or with `all` every image no container
* uses; then gc removes the layers and blobs nothing references any more.
*/
async function pruneImages(engine, options = {}) {
	const filters = options.filters ?? {};
	for (const k of Object.keys(filters)) if (k !== "label" && k !== "until") throw new InvalidFilterError(k);
	const candidates = listImages$1(engine, {
		all: true,
		filters: { ...filters.until ? { until: filters.until } : {} }
	}).filter((img) => matchLabels$1(filters.label ?? [], img.labels)).filter((img) => options.all || img.repoTags.length === 0).filter((img) => engine.images.usersOf(img.id).length === 0);
	const deleted = [];
	let pending = candidates.map((c) => c.id);
	for (let progress = true; progress && pending.length > 0;) {
		progress = false;
		const next = [];
		for (const id of pending) {
			if (!engine.images.get(id)) continue;
			if (engine.images.children(id).length > 0) {
				next.push(id);
				continue;
			}
			deleted.push(...engine.images.remove(id, { force: true }));
			progress = true;
		}
		pending = next;
	}
	const gc = await engine.gc.collect();
	engine.events.announce({
		type: "image",
		action: "prune",
		id: "",
		attributes: { reclaimed: String(gc.layerBytesFreed) }
	});
	return {
		deleted,
		spaceReclaimed: gc.layerBytesFreed,
		storedBytesFreed: gc.bytesFreed
	};
}
var init_prune = __esmMin((() => {
	init_list();
}));
// src/main/host/image-views.ts
/** `images` rows as the engine lists them (intermediate images hidden), with SHARED SIZE and CONTAINERS. */
function listImages(engine) {
	return listImages$1(engine, { sharedSize: true }).map(({ contentSize: _contentSize, ...img }) => ({
		...img,
		containers: engine.images.usersOf(img.id).length
	}));
}
function isoTime(created) {
	return created ?? "0001-01-01T00:00:00Z";
}
/** Config fields the UI reads directly, and the whole thing shaped like `docker image inspect`. */
function imageDetail(engine, imageId) {
	const rec = engine.images.get(imageId);
	if (!rec) throw new StrataError("not-found", `No such image: ${imageId}`);
	const config = engine.images.readConfig(imageId);
	const layers = engine.images.layers(imageId);
	const cc = config.config ?? {};
	const inspect = {
		Id: rec.id,
		RepoTags: rec.repoTags,
		RepoDigests: rec.repoDigests,
		Parent: rec.parentId,
		Comment: config.history?.at(-1)?.comment ?? "",
		Created: isoTime(config.created),
		Author: config.author ?? "",
		Config: cc,
		Architecture: config.architecture,
		Os: config.os,
		Size: rec.size,
		RootFS: {
			Type: "layers",
			Layers: layers.map((l) => l.diffId)
		},
		Metadata: { LastTagTime: "0001-01-01T00:00:00Z" }
	};
	return {
		id: rec.id,
		repoTags: rec.repoTags,
		repoDigests: rec.repoDigests,
		created: rec.created,
		size: rec.size,
		env: cc.Env ?? [],
		cmd: cc.Cmd ?? [],
		entrypoint: cc.Entrypoint ?? [],
		workingDir: cc.WorkingDir ?? "",
		inspect
	};
}
var init_image_views = __esmMin((() => {
	init_list();
	init_errors$2();
}));
// src/main/engine/image/layers.ts
/** The layers of an image with the images that use each one. */
function imageLayers(stores, imageId) {
	const stmt = stores.db.prepare("SELECT DISTINCT image_id FROM image_layers WHERE diff_id = ? ORDER BY image_id");
	return stores.images.layers(imageId).map((l) => ({
		diffId: l.diffId,
		chainId: l.chainId,
		blobDigest: l.blobDigest,
		mediaType: l.mediaType,
		size: l.diffSize,
		tarSize: l.size,
		blobSize: l.blobSize,
		usedBy: stmt.all(l.diffId).map((r) => r.image_id)
	}));
}
/** Every layer images use, with its users, largest first. */
function sharedLayers(stores) {
	const rows = stores.db.prepare("SELECT diff_id, image_id FROM image_layers").all();
	const users = /* @__PURE__ */ new Map();
	for (const r of rows) {
		let set = users.get(r.diff_id);
		if (!set) users.set(r.diff_id, set = /* @__PURE__ */ new Set());
		set.add(r.image_id);
	}
	return stores.db.prepare("SELECT diff_id, diff_size AS size FROM layers").all().filter((l) => users.has(l.diff_id)).map((l) => ({
		diffId: l.diff_id,
		size: l.size,
		usedBy: [...users.get(l.diff_id)].sort()
	})).sort((a, b) => b.size - a.size || a.diffId.localeCompare(b.diffId));
}
function isUnder(path, dir) {
	return dir === "" || path.startsWith(`${dir}/`);
}
/** Applies one layer's entries to the merged view of the layers below it. */
function applyLayer(view, files) {
	for (const f of files) if (f.type === "opaque" || f.type === "whiteout") {
		if (f.type === "whiteout") view.delete(f.path);
		for (const p of [...view.keys()]) if (isUnder(p, f.path)) view.delete(p);
	}
	for (const f of files) if (f.type !== "whiteout" && f.type !== "opaque") view.set(f.path, f);
}
/** One layer's entries against the merged view below it and the layers above it. */
function treeOf(layer, position, files, lower, hidden) {
	const entries = [];
	let wastedBytes = 0;
	for (const f of files) {
		const deleted = f.type === "whiteout" || f.type === "opaque";
		const change = deleted ? "D" : lower.has(f.path) ? "M" : "A";
		const wasted = !deleted && f.type !== "dir" && hidden.hiddenAbove(f.path, position);
		if (wasted) wastedBytes += f.size;
		entries.push({
			path: f.path,
			type: f.type,
			size: f.size,
			linkTarget: f.linkTarget,
			change,
			wasted
		});
	}
	return {
		diffId: layer.diffId,
		position,
		entries,
		wastedBytes
	};
}
/** Walks an image's layers bottom up, handing each its tree; the shared work is done once. */
function eachTree(stores, imageId, visit) {
	const layers = stores.images.layers(imageId);
	const files = layers.map((l) => stores.images.layerFiles(l.diffId));
	const hidden = new HiddenIndex(files);
	const lower = /* @__PURE__ */ new Map();
	for (const [position, layer] of layers.entries()) {
		if (visit(treeOf(layer, position, files[position], lower, hidden), layer) === false) return;
		applyLayer(lower, files[position]);
	}
}
/**
* The file tree of the layer at `position`: each entry marked A (new), M (replaces a lower file)
* or D (a whiteout), and whether a later layer overwrites or deletes it (wasted bytes).
*/
function layerTree(stores, imageId, position) {
	let found;
	eachTree(stores, imageId, (tree) => {
		if (tree.position !== position) return true;
		found = tree;
		return false;
	});
	if (!found) throw new StrataError("not-found", `image ${imageId.slice(7, 19)} has no layer ${position}`, { details: { position } });
	return found;
}
/** The history steps that made layers, oldest first (empty-layer steps skipped). */
function layerSteps(stores, imageId) {
	return (stores.images.readConfig(imageId).history ?? []).filter((h) => h.empty_layer !== true).map((h) => ({
		createdBy: h.created_by ?? "",
		created: unixSeconds(h.created)
	}));
}
/** `image layers`: per layer, its size, the step that made it, A/M/D file counts and wasted bytes. */
function layerSummaries(stores, imageId) {
	const steps = layerSteps(stores, imageId);
	const rows = [];
	eachTree(stores, imageId, (tree, layer) => {
		const files = tree.entries.filter((e) => e.type !== "dir");
		rows.push({
			position: tree.position,
			diffId: layer.diffId,
			size: layer.diffSize,
			createdBy: steps[tree.position]?.createdBy ?? "",
			created: steps[tree.position]?.created ?? 0,
			added: files.filter((e) => e.change === "A").length,
			modified: files.filter((e) => e.change === "M").length,
			deleted: files.filter((e) => e.change === "D").length,
			wastedBytes: tree.wastedBytes
		});
	});
	return rows;
}
var HiddenIndex;
var init_layers = __esmMin((() => {
	init_oci();
	init_errors$2();
	HiddenIndex = class {
		replaced = /* @__PURE__ */ new Map();
		cleared = /* @__PURE__ */ new Map();
		constructor(files) {
			files.forEach((layer, position) => {
				for (const f of layer) {
					if (f.type === "dir") continue;
					this.replaced.set(f.path, position);
					if (f.type === "whiteout" || f.type === "opaque") this.cleared.set(f.path, position);
				}
			});
		}
		/** Does a layer above `position` replace or delete `path`? */
		hiddenAbove(path, position) {
			if ((this.replaced.get(path) ?? -1) > position) return true;
			if ((this.cleared.get("") ?? -1) > position) return true;
			for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) if ((this.cleared.get(path.slice(0, i)) ?? -1) > position) return true;
			return false;
		}
	};
}));
// src/main/host/prune-preview.ts
function candidates(engine, all) {
	const pending = listImages$1(engine, { all: true }).filter((img) => all || img.repoTags.length === 0).filter((img) => engine.images.usersOf(img.id).length === 0).map((img) => img.id);
	const doomed = /* @__PURE__ */ new Set();
	for (let moved = true; moved;) {
		moved = false;
		for (const id of pending) {
			if (doomed.has(id)) continue;
			if (engine.images.children(id).every((c) => doomed.has(c))) {
				doomed.add(id);
				moved = true;
			}
		}
	}
	return pending.filter((id) => doomed.has(id));
}
function prunePreview(engine, all) {
	const ids = candidates(engine, all);
	const byId = new Map(listImages$1(engine, { all: true }).map((i) => [i.id, i]));
	let spaceReclaimed = 0;
	let storedBytes = 0;
	try {
		engine.db.transaction(() => {
			const del = engine.db.prepare("DELETE FROM images WHERE id = ?");
			for (const id of ids) del.run(id);
			spaceReclaimed = engine.gc.unreferencedLayers().reduce((n, l) => n + l.diffSize, 0);
			storedBytes = engine.gc.unreferencedBlobs().reduce((n, b) => n + (engine.content.size(b.digest) ?? b.size), 0);
			throw new Rollback();
		})();
	} catch (err) {
		if (!(err instanceof Rollback)) throw err;
	}
	return {
		images: ids.map((id) => ({
			id,
			repoTags: byId.get(id)?.repoTags ?? [],
			size: byId.get(id)?.size ?? 0
		})),
		spaceReclaimed,
		storedBytes
	};
}
/** Every prune action's bytes, for the disk view. */
function pruneActions(engine) {
	return {
		"dangling-images": prunePreview(engine, false).spaceReclaimed,
		"unused-images": prunePreview(engine, true).spaceReclaimed,
		"stopped-containers": engine.containers.prunable().reduce((n, c) => n + c.sizeRw, 0),
		"build-cache": new BuildCache(engine.db, engine.events).prunable(true).size
	};
}
/** Runs one prune action; returns the bytes it freed, as docker reports them. */
async function runPruneAction(engine, action) {
	switch (action) {
		case "dangling-images":
		case "unused-images": return { spaceReclaimed: (await pruneImages(engine, { all: action === "unused-images" })).spaceReclaimed };
		case "stopped-containers": {
			const res = await engine.containers.prune();
			await engine.gc.collect();
			return { spaceReclaimed: res.reclaimed };
		}
		case "build-cache": {
			const removed = new BuildCache(engine.db, engine.events).prune(true);
			await engine.gc.collect();
			return { spaceReclaimed: removed.size };
		}
	}
}
var Rollback;
var init_prune_preview = __esmMin((() => {
	init_list();
	init_prune();
	init_cache();
	init_errors$2();
	Rollback = class extends StrataError {
		constructor() {
			super("canceled", "prune preview rolled back");
		}
	};
}));
// src/main/host/build-context.ts
/**
* What the build panel shows before a build: the Dockerfile and `.dockerignore` found in a
* folder and the size of the context that would be sent (files the ignore rules keep). The
* folder is untrusted like any build context: names are resolved inside it with its symlinks
* scoped to it (as the builder does), files are read as bounded regular files (a FIFO never
* blocks the server), and a save never writes through a link.
*/
/** The host path a context-relative name stands for, its symlinks resolved inside the context. */
function inContext(dir, name) {
	return withinContext(dir, dockerfileIn(dir, name)) ?? dockerfileIn(dir, name);
}
function lexists(path) {
	try {
		lstatSync(path);
		return true;
	} catch {
		return false;
	}
}
function ignorePatterns(dir, dockerfile) {
	for (const name of [`${dockerfile}.dockerignore`, ".dockerignore"]) {
		const p = inContext(dir, name);
		if (lexists(p)) return {
			patterns: readIgnoreFile(readRegularFile(p, MAX_DOCKERFILE, name)),
			found: true
		};
	}
	return {
		patterns: [],
		found: false
	};
}
function walk(dir, root, pm, acc) {
	for (const ent of readdirSync(dir, { withFileTypes: true })) {
		const full = join(dir, ent.name);
		const rel = relative(root, full);
		if (pm.patterns.length > 0 && pm.matchesOrParentMatches(rel) && !(ent.isDirectory() && pm.exclusions)) continue;
		if (ent.isDirectory()) walk(full, root, pm, acc);
		else {
			acc.files += 1;
			acc.size += lstatSync(full).size;
		}
	}
}
function contextDir$1(path) {
	if (!isAbsolute(path)) throw new StrataError("invalid", `the build context must be an absolute path: ${path}`);
	const dir = resolve(path);
	if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new StrataError("not-found", `unable to prepare context: path "${path}" not found`);
	return dir;
}
/** The Dockerfile's path in the context; `..foo` is a name like any other, `../foo` leaves. */
function dockerfileIn(dir, name) {
	const file = resolve(dir, name || "Dockerfile");
	const rel = relative(dir, file);
	if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) throw new StrataError("invalid", `the Dockerfile (${name}) must be within the build context`);
	return file;
}
function inspectContext(path, dockerfile = "") {
	const dir = contextDir$1(path);
	const name = dockerfile || (existsSync(join(dir, "Dockerfile")) ? "Dockerfile" : existsSync(join(dir, "dockerfile")) ? "dockerfile" : "Dockerfile");
	const file = inContext(dir, name);
	if (!lexists(file)) throw new StrataError("not-found", `failed to read dockerfile: open ${name}: no such file or directory`);
	const dockerfileText = readRegularFile(file, MAX_DOCKERFILE, name);
	const ignore = ignorePatterns(dir, name);
	const acc = {
		size: 0,
		files: 0
	};
	walk(dir, dir, new PatternMatcher(ignore.patterns), acc);
	return {
		path: dir,
		dockerfile: name,
		dockerfileText,
		dockerignore: ignore.found,
		contextSize: acc.size,
		fileCount: acc.files
	};
}
/**
* Saves the Dockerfile where the build will read it (a symlink is resolved inside the context,
* never to the host), through a new file renamed over it: nothing is opened through a link.
*/
function writeDockerfile(path, dockerfile, text) {
	const dir = contextDir$1(path);
	const file = inContext(dir, dockerfile);
	let mode = 420;
	if (lexists(file)) {
		const st = lstatSync(file);
		if (!st.isFile()) throw new StrataError("invalid", `cannot save the Dockerfile: ${dockerfile} is not a regular file`);
		mode = st.mode & 511;
	}
	const parent = dirname(file);
	if (!(lexists(parent) ? lstatSync(parent) : void 0)?.isDirectory()) throw new StrataError("not-found", `cannot save the Dockerfile: ${relative(dir, parent) || "."} is not a directory of the context`);
	const tmp = join(parent, `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
	const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
	try {
		writeSync(fd, text);
		fsyncSync(fd);
	} catch (err) {
		closeSync(fd);
		rmSync(tmp, { force: true });
		throw err;
	}
	closeSync(fd);
	renameSync(tmp, file);
}
var init_build_context = __esmMin((() => {
	init_dockerignore();
	init_context();
	init_context_file();
	init_errors$2();
}));
// src/main/host/build-host.ts
/** The engine's event as the contract's; `vertex` carries the step's identity, later events its state. */
function toContractEvent(e) {
	switch (e.type) {
		case "vertex": return {
			type: "step",
			n: e.n,
			name: e.name,
			stage: e.stage ?? "",
			state: "running",
			...e.position !== void 0 ? { position: e.position } : {},
			...e.total !== void 0 ? { total: e.total } : {}
		};
		case "cached": return {
			type: "step",
			n: e.n,
			name: "",
			stage: "",
			state: "cached"
		};
		case "miss": return {
			type: "step",
			n: e.n,
			name: "",
			stage: "",
			state: "running",
			missReason: e.reason,
			missCause: e.cause
		};
		case "done": return {
			type: "step",
			n: e.n,
			name: "",
			stage: "",
			state: "done",
			durationMs: Math.round(e.durationMs)
		};
		case "log": return {
			type: "log",
			n: e.n,
			text: e.text
		};
		case "status": return {
			type: "log",
			n: e.n,
			text: `${e.text}\n`
		};
		case "error": return {
			type: "error",
			message: e.message,
			...e.n !== void 0 ? { n: e.n } : {},
			...e.line !== void 0 ? { line: e.line } : {}
		};
		case "warning": return {
			type: "message",
			text: e.message
		};
		default: return;
	}
}
async function runBuild(engine, p, ctx) {
	const dir = contextDir$1(p.path);
	const res = await build(engine, {
		context: dir,
		dockerfile: dockerfileIn(dir, p.dockerfile),
		tags: p.tags,
		buildArgs: p.buildArgs,
		...p.target ? { target: p.target } : {},
		noCache: p.noCache,
		signal: ctx.signal,
		onEvent: (e) => {
			const mapped = toContractEvent(e);
			if (mapped) ctx.emit(mapped);
		}
	});
	return {
		id: res.imageId,
		buildId: res.buildId
	};
}
/** The engine advisor's suggestions for recent builds of this Dockerfile, as plain contract data. */
function buildAdvice(engine, context, dockerfile) {
	return adviseOrder(engine, {
		context,
		dockerfile
	}, ADVICE_BUILDS).suggestions.map((s) => ({
		stage: s.stage,
		line: s.line,
		instruction: s.instruction,
		changedBuilds: s.changedBuilds,
		comparedBuilds: s.comparedBuilds,
		stableBelow: s.stableBelow.map((o) => ({
			line: o.line,
			instruction: o.instruction,
			meanMs: Math.round(o.meanMs),
			meanBytes: Math.round(o.meanBytes)
		})),
		savedMs: Math.round(s.savedMs),
		savedBytes: Math.round(s.savedBytes),
		message: s.message
	}));
}
function buildHistory(engine, path, dockerfile) {
	const dir = contextDir$1(path);
	const history = new BuildHistory(engine.db);
	const file = dockerfileIn(dir, dockerfile || "Dockerfile");
	return {
		builds: history.list({
			context: dir,
			dockerfile: file,
			limit: 20
		}).map((r) => ({
			id: r.id,
			context: r.context,
			dockerfile: r.dockerfile,
			tags: r.tags,
			startedAt: r.startedAt,
			finishedAt: r.finishedAt,
			status: r.status,
			imageId: r.imageId,
			error: r.error,
			steps: history.steps(r.id).map((s) => ({
				n: s.n,
				stage: s.stage,
				position: s.position,
				total: s.total,
				instruction: s.instruction,
				status: s.status,
				reason: s.reason,
				selfChanged: s.selfChanged,
				durationMs: s.durationMs,
				size: s.size
			}))
		})),
		advice: buildAdvice(engine, dir, file)
	};
}
var ADVICE_BUILDS;
var init_build_host = __esmMin((() => {
	init_builder();
	init_history_store();
	init_advisor();
	init_build_context();
	ADVICE_BUILDS = 10;
}));
// src/main/engine/registry/http.ts
/** The defaults, each overridable by its environment variable in seconds (`STRATA_REGISTRY_IDLE_TIMEOUT=0.5`). */
function registryTimeouts(env = process.env) {
	const out = { ...DEFAULT_TIMEOUTS };
	for (const key of Object.keys(TIMEOUT_VARIABLES)) {
		const seconds = Number(env[TIMEOUT_VARIABLES[key]] ?? NaN);
		if (Number.isFinite(seconds) && seconds > 0) out[key] = Math.round(seconds * 1e3);
	}
	return out;
}
/**
* The one rule for registry credentials: they go to the origin (scheme, host and port) they were
* given for, and nowhere else — not to an upload Location, a `Link` page or a redirect that names
* another host, port or scheme (a blob CDN gets the request without them).
*/
function mayCarryCredentials(url, origin) {
	return url.origin === origin;
}
/**
* The proxy settings docker's daemon honours (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; lower case wins,
* as in Node and curl), through Node's built-in agent proxy support. Like Go's
* ProxyFromEnvironment, loopback is never proxied.
*/
function proxyEnvironment(env = process.env) {
	const out = {};
	for (const name of PROXY_VARIABLES) {
		const value = env[name];
		if (value) out[name] = value;
	}
	const noProxy = [
		out.no_proxy ?? out.NO_PROXY,
		"localhost",
		"127.0.0.1",
		"::1"
	].filter(Boolean).join(",");
	delete out.no_proxy;
	out.NO_PROXY = noProxy;
	return out;
}
function currentAgents() {
	const proxyEnv = proxyEnvironment();
	const key = JSON.stringify(proxyEnv);
	if (agents?.key !== key) {
		const common = {
			keepAlive: true,
			maxSockets: 16,
			proxyEnv
		};
		agents = {
			key,
			agents: {
				http: new http.Agent(common),
				https: new https.Agent(common),
				httpsInsecure: new https.Agent({
					...common,
					rejectUnauthorized: false
				})
			}
		};
	}
	return agents.agents;
}
/** Sends one request; resolves once the response headers arrived. The caller consumes or discards the body. */
async function send(req) {
	let url = req.url;
	const plain = withoutHeader(req.headers ?? {}, "authorization");
	const follow = req.followRedirects ?? (req.method === "GET" || req.method === "HEAD");
	const timeouts = req.timeouts ?? registryTimeouts();
	for (let hop = 0;; hop++) {
		const creds = req.credentials;
		const headers = creds && mayCarryCredentials(url, creds.origin) ? {
			...plain,
			authorization: creds.authorization
		} : plain;
		const res = await sendOnce({
			...req,
			url,
			headers
		}, timeouts);
		const location = res.headers.location;
		if (!follow || !location || ![
			301,
			302,
			303,
			307,
			308
		].includes(res.status)) return res;
		res.body.resume();
		if (hop >= MAX_REDIRECTS) throw new StrataError("unavailable", `too many redirects fetching ${req.url.href}`);
		url = new URL(location, url);
	}
}
function withoutHeader(headers, name) {
	return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name));
}
function sendOnce(req, timeouts) {
	const isHttps = req.url.protocol === "https:";
	const mod = isHttps ? https : http;
	const pool = currentAgents();
	const agent = isHttps ? req.skipTlsVerify ? pool.httpsInsecure : pool.https : pool.http;
	return new Promise((resolve, reject) => {
		const headers = {
			"user-agent": "strata/0.1 (+docker-compatible)",
			...req.headers
		};
		if (typeof req.body === "string" || Buffer.isBuffer(req.body)) headers["content-length"] ??= String(Buffer.byteLength(req.body));
		const signal = req.signal;
		if (signal?.aborted) return reject(abortError(signal));
		let response;
		const onAbort = () => {
			if (!response) r.destroy(abortError(signal));
			else if (!response.complete) response.destroy(abortError(signal));
		};
		const r = mod.request(req.url, {
			method: req.method,
			headers,
			agent
		}, (res) => {
			response = res;
			deadlines.receiving(res);
			res.once("end", () => signal?.removeEventListener("abort", onAbort));
			res.once("close", () => signal?.removeEventListener("abort", onAbort));
			resolve({
				status: res.statusCode ?? 0,
				statusText: res.statusMessage ?? "",
				headers: res.headers,
				url: req.url,
				body: res
			});
		});
		const deadlines = new Deadlines(req, timeouts, (err) => response ? response.destroy(err) : r.destroy(err));
		deadlines.watch(r);
		signal?.addEventListener("abort", onAbort, { once: true });
		r.on("error", (err) => {
			deadlines.stop();
			signal?.removeEventListener("abort", onAbort);
			reject(err);
		});
		if (req.body === void 0) r.end();
		else if (typeof req.body === "function") {
			const body = req.body();
			body.on("error", (err) => r.destroy(err));
			body.pipe(r);
		} else r.end(req.body);
	});
}
function formatSeconds(ms) {
	return ms % 1e3 === 0 ? `${ms / 1e3}s` : `${(ms / 1e3).toFixed(1)}s`;
}
function abortError(signal) {
	return Object.assign(new Error("The operation was aborted", { cause: signal.reason }), {
		name: "AbortError",
		code: "ABORT_ERR"
	});
}
/** Reads a (small) response body to a buffer, refusing more than `limit` bytes. */
async function readBody(res, limit = 8388608) {
	const chunks = [];
	let size = 0;
	for await (const chunk of res.body) {
		size += chunk.length;
		if (size > limit) {
			res.body.destroy();
			throw new StrataError("data-loss", `response from ${res.url.host} is larger than ${limit} bytes`);
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}
/** Drains a response body we do not need, so its connection returns to the pool. */
function discard(res) {
	res.body.resume();
}
/** Errors that a retry may cure: the connection broke, or the server said 5xx/429. */
function isTransientNetworkError(err) {
	const code = err?.code;
	return code === "deadline-exceeded" || code === "ECONNRESET" || code === "ECONNREFUSED" || code === "EPIPE" || code === "ETIMEDOUT" || code === "ECONNABORTED" || code === "EAI_AGAIN" || code === "ERR_STREAM_PREMATURE_CLOSE" || code === "UND_ERR_SOCKET" || err instanceof Error && /socket hang up|aborted|premature close/i.test(err.message);
}
var DEFAULT_TIMEOUTS, TIMEOUT_VARIABLES, agents, PROXY_VARIABLES, MAX_REDIRECTS, Deadlines, RegistryTimeoutError;
var init_http$1 = __esmMin((() => {
	init_errors$2();
	DEFAULT_TIMEOUTS = {
		connectMs: 3e4,
		headersMs: 6e4,
		idleMs: 6e4
	};
	TIMEOUT_VARIABLES = {
		connectMs: "STRATA_REGISTRY_CONNECT_TIMEOUT",
		headersMs: "STRATA_REGISTRY_HEADER_TIMEOUT",
		idleMs: "STRATA_REGISTRY_IDLE_TIMEOUT"
	};
	PROXY_VARIABLES = [
		"HTTP_PROXY",
		"http_proxy",
		"HTTPS_PROXY",
		"https_proxy",
		"NO_PROXY",
		"no_proxy"
	];
	MAX_REDIRECTS = 10;
	Deadlines = class {
		timer;
		req;
		timeouts;
		fail;
		constructor(req, timeouts, fail) {
			this.req = req;
			this.timeouts = timeouts;
			this.fail = fail;
		}
		watch(r) {
			let connected = false;
			let sent = false;
			const awaitHeaders = () => {
				if (connected && sent) this.after(this.timeouts.headersMs, "net/http: timeout awaiting response headers");
			};
			this.after(this.timeouts.connectMs, `dial tcp ${this.req.url.host}: i/o timeout`);
			r.once("socket", (socket) => {
				const onConnected = () => {
					connected = true;
					if (sent) return awaitHeaders();
					this.idle(() => socket.bytesWritten, () => false, `write tcp ${this.req.url.host}: i/o timeout`);
				};
				if (r.reusedSocket || !socket.connecting && !(socket instanceof TLSSocket)) onConnected();
				else socket.once(socket instanceof TLSSocket ? "secureConnect" : "connect", onConnected);
			});
			r.once("finish", () => {
				sent = true;
				awaitHeaders();
			});
			r.once("close", () => this.stop());
		}
		receiving(res) {
			const socket = res.socket;
			if (!socket) return this.stop();
			const readerBusy = () => res.readableLength > 0;
			this.idle(() => socket.bytesRead, readerBusy, `read tcp ${this.req.url.host}: i/o timeout`);
			res.once("end", () => this.stop());
			res.once("close", () => this.stop());
		}
		stop() {
			clearTimeout(this.timer);
			clearInterval(this.timer);
			this.timer = void 0;
		}
		after(ms, reason) {
			this.stop();
			this.timer = setTimeout(() => this.expire(reason, ms), ms).unref();
		}
		/** Fails when `progress` has not moved for idleMs while nothing on our side explains the wait. */
		idle(progress, busy, reason) {
			this.stop();
			const ms = this.timeouts.idleMs;
			let last = progress();
			let since = Date.now();
			this.timer = setInterval(() => {
				const now = progress();
				if (now !== last || busy()) {
					last = now;
					since = Date.now();
				} else if (Date.now() - since >= ms) this.expire(reason, ms);
			}, Math.max(10, Math.min(1e3, ms / 4))).unref();
		}
		expire(reason, ms) {
			this.stop();
			this.fail(new RegistryTimeoutError(this.req.method, this.req.url, reason, ms));
		}
	};
	RegistryTimeoutError = class extends StrataError {
		constructor(method, url, reason, ms) {
			const verb = method[0] + method.slice(1).toLowerCase();
			super("deadline-exceeded", `${verb} "${url.href}": ${reason} (no answer for ${formatSeconds(ms)})`, { details: {
				url: url.href,
				timeoutMs: ms
			} });
		}
	};
}));
// src/main/engine/registry/errors.ts
/** The class of an HTTP status, as containerd's remotes map a registry's answer. */
function codeOfStatus(status) {
	if (status === 401) return "unauthorized";
	if (status === 403) return "permission-denied";
	if (status === 404) return "not-found";
	if (status === 409) return "conflict";
	if (status === 429) return "resource-exhausted";
	if (status === 400 || status === 405 || status === 413 || status === 416) return "invalid";
	if (status >= 500) return "unavailable";
	return "internal";
}
/** distribution's errcode: the code lower-cased with spaces, then the message. */
function formatDetail(e) {
	const code = e.code.toLowerCase().replaceAll("_", " ");
	return e.message ? `${code}: ${e.message}` : code;
}
/** Reads an error response into a RegistryError (the body is small JSON, or anything). */
async function registryError(res) {
	let errors = [];
	try {
		const body = res.body.readableEnded ? Buffer.alloc(0) : await readBody(res, 65536);
		const parsed = JSON.parse(body.toString("utf8"));
		if (Array.isArray(parsed.errors)) errors = parsed.errors.map((e) => ({
			code: String(e.code ?? "UNKNOWN"),
			message: typeof e.message === "string" ? e.message : ""
		}));
	} catch {}
	return new RegistryError(res.status, res.statusText, errors);
}
var RegistryError, UnauthorizedError;
var init_errors = __esmMin((() => {
	init_http$1();
	init_errors$2();
	RegistryError = class extends StrataError {
		status;
		errors;
		constructor(status, statusText, errors) {
			const message = errors.length > 0 ? errors.map(formatDetail).join("; ") : `received unexpected HTTP status: ${status} ${statusText}`;
			super(codeOfStatus(status), message, { details: {
				status,
				errors: errors.map((e) => e.code)
			} });
			this.status = status;
			this.errors = errors;
		}
		hasCode(code) {
			return this.errors.some((e) => e.code === code);
		}
	};
	UnauthorizedError = class extends StrataError {
		constructor(message) {
			super("unauthorized", message);
		}
	};
}));
// src/main/engine/registry/auth.ts
/** Parses WWW-Authenticate header values (several challenges, quoted or token params). */
function parseChallenges(header) {
	const values = header === void 0 ? [] : Array.isArray(header) ? header : [header];
	const out = [];
	for (const value of values) {
		const re = /([A-Za-z0-9_.-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?/g;
		let current;
		let m;
		while ((m = re.exec(value)) !== null) if (!(m[2] !== void 0 || m[3] !== void 0)) {
			current = {
				scheme: m[1].toLowerCase(),
				params: {}
			};
			out.push(current);
		} else if (current) current.params[m[1].toLowerCase()] = m[2] !== void 0 ? m[2].replace(/\\(.)/g, "$1") : m[3];
	}
	return out;
}
/** `repository:library/busybox:pull` — the scope a bearer token is asked for. */
function repositoryScope(repository, actions) {
	return `repository:${repository}:${actions}`;
}
function scopeKey(scopes) {
	return [...scopes].sort().join(" ");
}
var Authorizer, CLIENT_ID;
var init_auth = __esmMin((() => {
	init_http$1();
	init_errors();
	init_errors$2();
	Authorizer = class {
		challenge;
		tokens = /* @__PURE__ */ new Map();
		pendingTokens = /* @__PURE__ */ new Map();
		credentials;
		skipTlsVerify;
		/** Ask the token server for a refresh token too (login). */
		offline;
		timeouts;
		/** The refresh token the token server handed out, if it did. */
		refreshToken;
		constructor(credentials, skipTlsVerify, options = {}) {
			this.credentials = credentials;
			this.skipTlsVerify = skipTlsVerify;
			this.offline = options.offline ?? false;
			this.timeouts = options.timeouts;
		}
		/** Takes the challenges of a 401 answer; returns false when none is one we can answer. */
		learn(header) {
			const usable = parseChallenges(header).find((c) => c.scheme === "bearer" || c.scheme === "basic");
			if (!usable) return false;
			this.challenge = usable;
			return true;
		}
		get scheme() {
			return this.challenge?.scheme;
		}
		/** Drops cached tokens for these scopes (after the registry refused one). */
		invalidate(scopes) {
			this.tokens.delete(scopeKey(scopes));
		}
		/** The Authorization header for a request needing `scopes`, or undefined for anonymous access. */
		async header(scopes, signal) {
			const c = this.challenge;
			if (!c) return void 0;
			if (c.scheme === "basic") {
				const creds = await this.credentials();
				if (!creds) throw new UnauthorizedError("no basic auth credentials");
				return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
			}
			const key = scopeKey(scopes);
			const cached = this.tokens.get(key);
			if (cached && cached.expiresAt > Date.now() + 5e3) return `Bearer ${cached.token}`;
			let pending = this.pendingTokens.get(key);
			if (!pending) {
				pending = this.fetchToken(c, scopes, signal).finally(() => this.pendingTokens.delete(key));
				this.pendingTokens.set(key, pending);
			}
			const token = await pending;
			this.tokens.set(key, token);
			return `Bearer ${token.token}`;
		}
		async fetchToken(c, scopes, signal) {
			const realm = c.params.realm;
			if (!realm) throw new StrataError("unauthorized", "registry sent a bearer challenge without a realm");
			const creds = await this.credentials();
			const res = creds?.identityToken ? await this.refreshTokenRequest(new URL(realm), c.params.service, scopes, creds.identityToken, signal) : await this.basicTokenRequest(new URL(realm), c.params.service, scopes, creds, signal);
			if (res.status === 401 || res.status === 403) {
				const err = await registryError(res);
				throw new UnauthorizedError(err.errors.length > 0 ? err.message : `unauthorized: incorrect username or password`);
			}
			if (res.status !== 200) throw new StrataError("unauthorized", `token request to ${res.url.host} failed: ${(await registryError(res)).message}`);
			const body = JSON.parse((await readBody(res, 1048576)).toString("utf8"));
			const token = body.token ?? body.access_token;
			if (!token) throw new StrataError("unauthorized", `token server ${res.url.host} returned no token`);
			if (typeof body.refresh_token === "string" && body.refresh_token !== "") this.refreshToken = body.refresh_token;
			const expiresIn = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
			return {
				token,
				expiresAt: Date.now() + expiresIn * 1e3
			};
		}
		/**
		* The token flow with a password: GET realm?service=…&scope=… with Basic credentials. When
		* logging in, it also asks for a refresh token (`offline_token=true`), as docker login does.
		*/
		basicTokenRequest(url, service, scopes, creds, signal) {
			if (service) url.searchParams.set("service", service);
			for (const s of scopes) url.searchParams.append("scope", s);
			let credentials;
			if (creds) {
				credentials = {
					authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`,
					origin: url.origin
				};
				url.searchParams.set("account", creds.username);
				if (this.offline) {
					url.searchParams.set("offline_token", "true");
					url.searchParams.set("client_id", CLIENT_ID);
				}
			}
			return send({
				method: "GET",
				url,
				...credentials ? { credentials } : {},
				...signal ? { signal } : {},
				...this.transport()
			});
		}
		transport() {
			return {
				skipTlsVerify: this.skipTlsVerify,
				...this.timeouts ? { timeouts: this.timeouts } : {}
			};
		}
		/** The OAuth2 flow with an identity token (distribution's token spec): POST grant_type=refresh_token. */
		refreshTokenRequest(url, service, scopes, refreshToken, signal) {
			const form = new URLSearchParams({
				grant_type: "refresh_token",
				refresh_token: refreshToken,
				client_id: CLIENT_ID
			});
			if (service) form.set("service", service);
			if (scopes.length > 0) form.set("scope", scopes.join(" "));
			if (this.offline) form.set("access_type", "offline");
			return send({
				method: "POST",
				url,
				body: form.toString(),
				headers: { "content-type": "application/x-www-form-urlencoded" },
				...signal ? { signal } : {},
				...this.transport()
			});
		}
	};
	CLIENT_ID = "strata";
}));
// src/main/engine/registry/ingest-pool.ts
/**
* Starts workers ahead of need (up to `count` idle ones), so that loading their modules overlaps
* the manifest and config round trips instead of delaying the first layers.
*/
function prewarmIngestWorkers(count) {
	if (!workerAvailable) return;
	while (idle.length < count && workers < MAX_WORKERS) idle.push(spawn$1());
}
function spawn$1() {
	const worker = new Worker(WORKER_URL);
	workers++;
	worker.unref();
	worker.once("exit", () => {
		workers--;
		const i = idle.indexOf(worker);
		if (i >= 0) idle.splice(i, 1);
	});
	worker.on("error", () => {});
	return worker;
}
async function ingestOffThread(store, source, expected) {
	const worker = !workerAvailable ? void 0 : idle.pop() ?? (workers < MAX_WORKERS ? spawn$1() : void 0);
	if (!worker) return ingestLayer(store, coalesce(source), expected);
	worker.ref();
	const job = new Job(worker);
	let healthy = true;
	try {
		job.post({
			type: "start",
			root: store.root,
			expected
		});
		try {
			let batch = [];
			let batchBytes = 0;
			for await (const chunk of source) {
				if (job.settled) break;
				batch.push(transferable(chunk));
				batchBytes += chunk.byteLength;
				if (batchBytes < BATCH_BYTES) continue;
				job.post({
					type: "chunk",
					data: batch
				}, batch);
				batch = [];
				batchBytes = 0;
				await job.room();
			}
			if (batch.length > 0 && !job.settled) job.post({
				type: "chunk",
				data: batch
			}, batch);
		} catch (err) {
			job.post({ type: "abort" });
			await job.result.catch(() => {});
			throw err;
		}
		if (!job.settled) job.post({ type: "end" });
		return await job.result;
	} catch (err) {
		healthy = !job.crashed;
		throw err;
	} finally {
		job.detach();
		if (healthy) {
			worker.unref();
			idle.push(worker);
		} else worker.terminate();
	}
}
/** Joins small chunks (socket reads) into ~1 MiB ones: far fewer file writes, hash updates and decompressor round trips. */
async function* coalesce(source) {
	let pending = [];
	let bytes = 0;
	for await (const chunk of source) {
		pending.push(chunk);
		bytes += chunk.byteLength;
		if (bytes < BATCH_BYTES) continue;
		yield pending.length === 1 ? pending[0] : Buffer.concat(pending, bytes);
		pending = [];
		bytes = 0;
	}
	if (bytes > 0) yield pending.length === 1 ? pending[0] : Buffer.concat(pending, bytes);
}
/** The chunk's bytes as an ArrayBuffer this thread may give away (a copy unless it owns them whole). */
function transferable(chunk) {
	const buf = chunk.buffer;
	if (buf instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === buf.byteLength && chunk.byteLength >= 16384) return buf;
	return new Uint8Array(chunk).buffer;
}
/** The worker's error as this thread's own kind, so callers' `instanceof` checks still hold. */
function fromWorker(e) {
	let err;
	if (e.name === "DigestMismatchError") err = new DigestMismatchError(String(e.expected), String(e.actual));
	else if (e.name === "SizeMismatchError") err = new SizeMismatchError(Number(e.expected), Number(e.actual));
	else err = new StrataError(e.code, e.message);
	err.message = e.message;
	if (e.name !== "Error" && !(err instanceof DigestMismatchError) && !(err instanceof SizeMismatchError)) err.name = e.name;
	return err;
}
var WORKER_URL, workerAvailable, BATCH_BYTES, IN_FLIGHT, MAX_WORKERS, idle, workers, Job;
var init_ingest_pool = __esmMin((() => {
	init_layer_ingest();
	init_content_store();
	init_errors$2();
	WORKER_URL = ["./ingest-worker.ts", "./ingest-worker.js"].map((f) => new URL(f, import.meta.url)).find((u) => u.protocol === "file:" && existsSync(fileURLToPath(u)));
	workerAvailable = WORKER_URL !== void 0;
	BATCH_BYTES = 1048576;
	IN_FLIGHT = 4;
	MAX_WORKERS = Math.max(1, availableParallelism() - 1);
	idle = [];
	workers = 0;
	Job = class {
		result;
		settled = false;
		crashed = false;
		worker;
		inFlight = 0;
		wake;
		detachers = [];
		constructor(worker) {
			this.worker = worker;
			this.result = new Promise((resolve, reject) => {
				const settle = () => {
					this.settled = true;
					this.wakeUp();
				};
				const onMessage = (msg) => {
					if (msg.type === "ack") {
						this.inFlight--;
						this.wakeUp();
					} else if (msg.type === "done") {
						settle();
						resolve(msg.layer);
					} else if (msg.type === "failed") {
						settle();
						reject(fromWorker(msg.error));
					}
				};
				const onError = (err) => {
					this.crashed = true;
					settle();
					reject(err);
				};
				const onExit = (code) => onError(/* @__PURE__ */ new Error(`layer ingest worker exited with code ${code}`));
				worker.on("message", onMessage);
				worker.on("error", onError);
				worker.on("exit", onExit);
				this.detachers.push(() => {
					worker.off("message", onMessage);
					worker.off("error", onError);
					worker.off("exit", onExit);
				});
			});
			this.result.catch(() => {});
		}
		post(msg, transfer) {
			if (msg.type === "chunk") this.inFlight++;
			if (!this.crashed) this.worker.postMessage(msg, transfer);
		}
		/** Resolves once fewer than IN_FLIGHT chunks wait in the worker, or the job is over. */
		async room() {
			while (this.inFlight >= IN_FLIGHT && !this.settled) await new Promise((resolve) => this.wake = resolve);
		}
		detach() {
			for (const d of this.detachers) d();
		}
		wakeUp() {
			this.wake?.();
			this.wake = void 0;
		}
	};
}));
// src/main/engine/registry/platform.ts
/** containerd's platforms.Normalize: arch aliases, and the default variant for arm (v7) and arm64 (v8). */
function normalizePlatform(p) {
	const os = p.os.toLowerCase();
	const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
	let variant = p.variant?.toLowerCase() || void 0;
	if (architecture === "arm64" && (variant === void 0 || variant === "8")) variant = "v8";
	if (architecture === "arm" && (variant === void 0 || variant === "7")) variant = "v7";
	if (architecture === "arm" && (variant === "5" || variant === "6")) variant = `v${variant}`;
	return {
		os,
		architecture,
		...variant ? { variant } : {}
	};
}
/** Parses `--platform` (`linux/arm64`, `linux/arm/v7`, `linux`). */
function parsePlatform(value) {
	const parts = value.split("/");
	if (parts.length > 3 || parts.some((p) => p === "")) throw new StrataError("invalid", `invalid platform: "${value}": expected os/arch[/variant]`);
	const os = parts[0];
	return normalizePlatform({
		os,
		architecture: parts[1] ?? hostPlatform().architecture,
		...parts[2] ? { variant: parts[2] } : {}
	});
}
/** `linux/arm64/v8`, as docker prints platforms. */
function formatPlatform(p) {
	return [
		p.os,
		p.architecture,
		p.variant
	].filter(Boolean).join("/");
}
function defaultPlatform() {
	return normalizePlatform(hostPlatform());
}
function platformMatches(want, have) {
	if (!have) return false;
	const w = normalizePlatform(want);
	const h = normalizePlatform(have);
	return w.os === h.os && w.architecture === h.architecture && (w.variant ?? "") === (h.variant ?? "");
}
/** The index entry for `want`, or docker's error when the index has none. */
function selectManifest(manifests, want) {
	const found = manifests.find((m) => platformMatches(want, m.platform));
	if (!found) throw new StrataError("not-found", `no matching manifest for ${formatPlatform(normalizePlatform(want))} in the manifest list entries`);
	return found;
}
var ARCH_ALIASES;
var init_platform = __esmMin((() => {
	init_oci();
	init_errors$2();
	ARCH_ALIASES = {
		x86_64: "amd64",
		"x86-64": "amd64",
		aarch64: "arm64",
		armhf: "arm",
		armel: "arm",
		i386: "386"
	};
}));
// src/main/engine/registry/credential-helper.ts
var CredentialHelper, CredentialHelperError, NOT_FOUND_MESSAGE, NOT_FOUND, IDENTITY_TOKEN_USER;
var init_credential_helper = __esmMin((() => {
	init_errors$2();
	CredentialHelper = class {
		name;
		env;
		constructor(name, env = process.env) {
			this.name = name;
			this.env = env;
		}
		get program() {
			return `docker-credential-${this.name}`;
		}
		/** The credentials kept for `serverURL`, or undefined when the helper has none. */
		async get(serverURL) {
			const out = await this.run("get", serverURL, "getting");
			if (out === NOT_FOUND) return void 0;
			let parsed;
			try {
				parsed = JSON.parse(out);
			} catch {
				throw new CredentialHelperError(`error getting credentials - ${this.program} answered with something that is not JSON`);
			}
			const username = typeof parsed.Username === "string" ? parsed.Username : "";
			const secret = typeof parsed.Secret === "string" ? parsed.Secret : "";
			if (username === "" && secret === "") return void 0;
			if (username === IDENTITY_TOKEN_USER) return {
				username: "",
				password: "",
				identityToken: secret
			};
			return {
				username,
				password: secret
			};
		}
		async store(serverURL, credentials) {
			const token = credentials.identityToken;
			const payload = {
				ServerURL: serverURL,
				Username: token ? IDENTITY_TOKEN_USER : credentials.username,
				Secret: token ?? credentials.password
			};
			await this.run("store", JSON.stringify(payload), "storing");
		}
		/** Returns false when the helper kept nothing for `serverURL`. */
		async erase(serverURL) {
			return await this.run("erase", serverURL, "erasing") !== NOT_FOUND;
		}
		/**
		* Runs one action; resolves with its stdout (trimmed), or NOT_FOUND when the helper says it has
		* no such credentials. The request is never part of an error message (it may hold the secret).
		*/
		run(action, input, verb) {
			return new Promise((resolve, reject) => {
				const child = spawn(this.program, [action], {
					env: this.env,
					stdio: [
						"pipe",
						"pipe",
						"pipe"
					]
				});
				const out = [];
				const err = [];
				child.stdout.on("data", (b) => out.push(b));
				child.stderr.on("data", (b) => err.push(b));
				child.stdin.on("error", () => {});
				child.on("error", (e) => {
					const why = e.code === "ENOENT" ? `exec: "${this.program}": executable file not found in $PATH` : e.message;
					reject(new CredentialHelperError(`error ${verb} credentials - err: ${why}, out: \`\``));
				});
				child.on("close", (code, signal) => {
					const stdout = Buffer.concat(out).toString("utf8").trim();
					if (code === 0) return resolve(stdout);
					if (stdout === NOT_FOUND_MESSAGE) return resolve(NOT_FOUND);
					const status = signal ? `signal: ${signal}` : `exit status ${code}`;
					const detail = stdout || Buffer.concat(err).toString("utf8").trim();
					reject(new CredentialHelperError(`error ${verb} credentials - err: ${status}, out: \`${detail}\``));
				});
				child.stdin.end(input);
			});
		}
	};
	CredentialHelperError = class extends StrataError {
		constructor(message) {
			super("unavailable", message);
		}
	};
	NOT_FOUND_MESSAGE = "credentials not found in native keychain";
	NOT_FOUND = "\0not-found";
	IDENTITY_TOKEN_USER = "<token>";
}));
// src/main/engine/registry/credentials.ts
/** `$DOCKER_CONFIG` or `~/.docker`. */
function dockerConfigDir(env = process.env) {
	return env.DOCKER_CONFIG || join(env.HOME ?? homedir(), ".docker");
}
/** The config.json key docker uses for a registry host. */
function authKey(registry) {
	return registry === "docker.io" || registry === "index.docker.io" || registry === "registry-1.docker.io" ? DOCKER_HUB_AUTH_KEY : registry;
}
/** docker's ConvertToHostname: `https://host:5000/v1/` → `host:5000`. */
function hostnameOf(key) {
	return key.replace(/^https?:\/\//, "").split("/")[0];
}
/** docker's choice: the registry's own `credHelpers` entry, else the `credsStore` for all. */
function helperName(config, registry) {
	return config.credHelpers?.[authKey(registry)] || config.credHelpers?.[registry] || config.credsStore || void 0;
}
/** An `auths` entry as docker writes one: base64 `user:pass`; with an identity token, `user:` and the token. */
function fileEntry(credentials) {
	if (credentials.identityToken) return {
		auth: Buffer.from(`${credentials.username}:`).toString("base64"),
		identitytoken: credentials.identityToken
	};
	return { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64") };
}
var DOCKER_HUB_AUTH_KEY, DockerConfigCredentialStore;
var init_credentials = __esmMin((() => {
	init_credential_helper();
	init_errors$2();
	DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";
	DockerConfigCredentialStore = class {
		file;
		plaintextLocation;
		env;
		constructor(dir = dockerConfigDir(), env = process.env) {
			this.file = join(dir, "config.json");
			this.plaintextLocation = this.file;
			this.env = env;
		}
		read() {
			if (!existsSync(this.file)) return {};
			try {
				return JSON.parse(readFileSync(this.file, "utf8"));
			} catch (err) {
				throw new StrataError(errorCode(err) === "not-found" ? "invalid" : errorCode(err), `cannot read ${this.file}: ${err.message}`, { cause: err });
			}
		}
		write(config) {
			const dir = join(this.file, "..");
			mkdirSync(dir, {
				recursive: true,
				mode: 448
			});
			const tmp = `${this.file}.${randomBytes(4).toString("hex")}.tmp`;
			writeFileSync(tmp, `${JSON.stringify(config, null, "	")}\n`, { mode: 384 });
			renameSync(tmp, this.file);
		}
		/** The helper config.json names for every registry (`credsStore`), if any. */
		get credsStore() {
			return this.read().credsStore || void 0;
		}
		/** The credential helper that keeps this registry's secret (docker's getCredentialsStore), if any. */
		helperFor(registry) {
			const name = helperName(this.read(), registry);
			return name ? new CredentialHelper(name, this.env) : void 0;
		}
		entryFor(config, registry) {
			const key = authKey(registry);
			const auths = config.auths ?? {};
			if (auths[key]) return [key, auths[key]];
			const host = hostnameOf(key);
			return Object.entries(auths).find(([k]) => hostnameOf(k) === host);
		}
		async get(registry) {
			const config = this.read();
			const helper = helperName(config, registry);
			if (helper) return new CredentialHelper(helper, this.env).get(authKey(registry));
			const entry = this.entryFor(config, registry)?.[1];
			if (!entry) return void 0;
			let username = entry.username ?? "";
			let password = entry.password ?? "";
			if (entry.auth) {
				const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
				const colon = decoded.indexOf(":");
				if (colon > 0) {
					username = decoded.slice(0, colon);
					password = decoded.slice(colon + 1);
				}
			}
			const identityToken = entry.identitytoken || void 0;
			if (!identityToken && (!username || !password)) return void 0;
			return {
				username,
				password,
				...identityToken ? { identityToken } : {}
			};
		}
		async store(registry, credentials) {
			const config = this.read();
			const key = authKey(registry);
			const helper = helperName(config, registry);
			if (helper) await new CredentialHelper(helper, this.env).store(key, credentials);
			const auths = { ...config.auths ?? {} };
			const existing = this.entryFor(config, registry);
			if (existing) delete auths[existing[0]];
			auths[key] = helper ? {} : fileEntry(credentials);
			this.write({
				...config,
				auths
			});
		}
		async erase(registry) {
			const config = this.read();
			const helper = helperName(config, registry);
			const existing = this.entryFor(config, registry);
			let inHelper = false;
			if (helper) try {
				inHelper = await new CredentialHelper(helper, this.env).erase(authKey(registry));
			} catch (err) {
				if (existing) throw err;
			}
			if (existing) {
				const auths = { ...config.auths ?? {} };
				delete auths[existing[0]];
				this.write({
					...config,
					auths
				});
			}
			return inHelper || existing !== void 0;
		}
	};
}));
// src/main/engine/registry/settings.ts
function readRegistrySettings(root) {
	const file = join(root, "registries.json");
	if (!existsSync(file)) return { insecure: [] };
	try {
		const parsed = JSON.parse(readFileSync(file, "utf8"));
		return { insecure: Array.isArray(parsed.insecure) ? parsed.insecure.filter((x) => typeof x === "string") : [] };
	} catch (err) {
		throw new StrataError(errorCode(err) === "not-found" ? "invalid" : errorCode(err), `cannot read ${file}: ${err.message}`, { cause: err });
	}
}
/** The host that serves a domain's API: Docker Hub's `docker.io` is `registry-1.docker.io`. */
function apiHost(domain) {
	return domain === "docker.io" || domain === "index.docker.io" ? "registry-1.docker.io" : domain;
}
function hostOnly(host) {
	const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
	if (bracket) return bracket[1];
	const colon = host.lastIndexOf(":");
	return colon === -1 || host.indexOf(":") !== colon ? host : host.slice(0, colon);
}
function ipv4ToInt(ip) {
	return ip.split(".").reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}
function inCidr(ip, cidr) {
	const [base, bits] = cidr.split("/");
	if (!base || bits === void 0 || isIP(base) !== 4 || isIP(ip) !== 4) return false;
	const n = Number(bits);
	const mask = n === 0 ? 0 : -1 << 32 - n >>> 0;
	return (ipv4ToInt(ip) & mask) === (ipv4ToInt(base) & mask);
}
/**
* Whether docker would treat `host` (host[:port]) as insecure: listed by name, or an address of
* it inside an insecure CIDR (127.0.0.0/8 always, as the daemon's default). Names are resolved
* like docker's isSecureIndex does, so `localhost:5000` is insecure too.
*/
async function isInsecureRegistry(host, settings, force = false) {
	if (force) return true;
	if (settings.insecure.includes(host)) return true;
	const cidrs = [...DEFAULT_INSECURE_CIDRS, ...settings.insecure.filter((s) => s.includes("/"))];
	const name = hostOnly(host);
	let addresses;
	if (isIP(name)) addresses = [name];
	else try {
		addresses = (await lookup(name, { all: true })).map((a) => a.address);
	} catch {
		return false;
	}
	return addresses.some((ip) => cidrs.some((c) => inCidr(ip, c)));
}
var DEFAULT_INSECURE_CIDRS;
var init_settings = __esmMin((() => {
	init_errors$2();
	DEFAULT_INSECURE_CIDRS = ["127.0.0.0/8"];
}));
// src/main/engine/registry/client.ts
function withDigest(location, digest) {
	const url = new URL(location.href);
	url.searchParams.set("digest", digest);
	return url;
}
/** Failures a retry may cure: a broken connection, a 5xx or a 429. */
function isTransient(err) {
	return isTransientNetworkError(err) || err instanceof RegistryError && (err.status >= 500 || err.status === 429);
}
function headerString(value) {
	return Array.isArray(value) ? value[0] : value;
}
/** The manifest's own mediaType field wins over the Content-Type header (registries differ). */
function manifestMediaType(bytes, contentType) {
	try {
		const parsed = JSON.parse(bytes.toString("utf8"));
		if (typeof parsed.mediaType === "string" && parsed.mediaType) return parsed.mediaType;
		const ct = contentType?.split(";")[0]?.trim();
		if (ct && ct !== "application/json" && ct !== "text/plain") return ct;
		return Array.isArray(parsed.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
	} catch {
		throw new StrataError("data-loss", "registry returned a manifest that is not valid JSON");
	}
}
/** docker's wording for an endpoint that cannot be reached. */
function pingError(url, err) {
	const e = err;
	if (e instanceof RegistryError || e instanceof UnauthorizedError || e instanceof RegistryTimeoutError) return e;
	if (e?.code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number|packet length too long/i.test(e?.message ?? "")) return new StrataError("unavailable", `Get "${url.href}": http: server gave HTTP response to HTTPS client`);
	if (e?.code && UNKNOWN_AUTHORITY.has(e.code)) return new StrataError("unavailable", `Get "${url.href}": tls: failed to verify certificate: x509: certificate signed by unknown authority`);
	if (e?.code === "ECONNREFUSED") return new StrataError("unavailable", `Get "${url.href}": dial tcp ${url.host}: connect: connection refused`);
	if (e?.code === "ENOTFOUND" || e?.code === "EAI_AGAIN") return new StrataError("unavailable", `Get "${url.href}": dial tcp: lookup ${url.hostname}: no such host`);
	return new StrataError("unavailable", `Get "${url.href}": ${e?.message ?? String(err)}`);
}
function isConnectionRefused(err) {
	return err?.code === "ECONNREFUSED";
}
var MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, RegistryClient, UNKNOWN_AUTHORITY;
var init_client = __esmMin((() => {
	init_auth();
	init_http$1();
	init_errors();
	init_settings();
	init_digest();
	init_oci();
	init_errors$2();
	MANIFEST_ACCEPT = [
		MediaType.DockerManifest,
		MediaType.DockerManifestList,
		MediaType.OciManifest,
		MediaType.OciIndex
	].join(", ");
	MAX_MANIFEST_BYTES = 4194304;
	RegistryClient = class {
		domain;
		host;
		options;
		auth;
		base;
		pinging;
		constructor(options) {
			this.options = options;
			this.domain = options.domain;
			this.host = apiHost(options.domain);
			this.timeouts = {
				...registryTimeouts(),
				...options.timeouts
			};
			this.auth = new Authorizer(options.credentials, options.insecure, {
				offline: options.offline ?? false,
				timeouts: this.timeouts
			});
		}
		timeouts;
		get signal() {
			return this.options.signal;
		}
		/** The retry policy, for transfers that retry by themselves (resumed downloads). */
		get retries() {
			return this.options.retries ?? 3;
		}
		/** Attempts after the first for a layer download: docker makes 5 attempts in all. */
		get downloadRetries() {
			return this.options.retries ?? 4;
		}
		get backoffMs() {
			return this.options.backoffMs ?? 250;
		}
		/** `GET /v2/`: picks the endpoint and learns the registry's auth challenge (once per client). */
		ping() {
			this.pinging ??= this.doPing();
			return this.pinging;
		}
		async doPing() {
			const candidates = [new URL(`https://${this.host}/v2/`)];
			if (this.options.insecure) candidates.push(new URL(`http://${this.host}/v2/`));
			let lastError;
			let lastUrl = candidates[0];
			for (const url of candidates) {
				lastUrl = url;
				try {
					const res = await this.withRetries(async () => {
						const r = await this.sendRaw({
							method: "GET",
							url
						});
						if (r.status >= 500 || r.status === 429) throw await registryError(r);
						return r;
					}, (err) => !isConnectionRefused(err));
					discard(res);
					if (res.status === 401) this.auth.learn(res.headers["www-authenticate"]);
					else if (res.status !== 200) throw new RegistryError(res.status, res.statusText, []);
					this.base = new URL("/", url);
					return this.base;
				} catch (err) {
					if (this.signal?.aborted) throw err;
					lastError = err;
				}
			}
			throw pingError(candidates.length > 1 && !isConnectionRefused(lastError) ? candidates[0] : lastUrl, lastError);
		}
		/**
		* Checks credentials the way `docker login` does: a ping answered with them. Resolves with the
		* identity (refresh) token the token server handed out, if it did, which docker then stores
		* instead of the password.
		*/
		async login() {
			const base = await this.ping();
			if (!this.auth.scheme) return {};
			const url = new URL("/v2/", base);
			const res = await this.sendRaw({
				method: "GET",
				url
			}, await this.auth.header([]));
			discard(res);
			if (res.status === 401 || res.status === 403) throw new UnauthorizedError(`login attempt to ${url.href} failed with status: ${res.status} ${res.statusText}`);
			if (res.status !== 200) throw new RegistryError(res.status, res.statusText, []);
			return this.auth.refreshToken ? { identityToken: this.auth.refreshToken } : {};
		}
		/** One API call with auth and retries; resolves with an answer whose status is in `ok`. */
		async request(req) {
			const base = await this.ping();
			const url = typeof req.path === "string" ? new URL(req.path, base) : req.path;
			for (let attempt = 0;; attempt++) {
				const authorization = mayCarryCredentials(url, base.origin) ? await this.auth.header(req.scopes, this.signal) : void 0;
				const once = async () => {
					const r = await this.sendRaw({
						method: req.method,
						url,
						...req.headers ? { headers: req.headers } : {},
						...req.body !== void 0 ? { body: req.body } : {}
					}, authorization);
					if (r.status >= 500 || r.status === 429) throw await registryError(r);
					return r;
				};
				const res = req.retry === false ? await once() : await this.withRetries(once);
				if (req.ok.includes(res.status)) return res;
				const ours = mayCarryCredentials(res.url, base.origin);
				if (res.status === 401 && attempt === 0 && ours && this.auth.learn(res.headers["www-authenticate"])) {
					discard(res);
					this.auth.invalidate(req.scopes);
					continue;
				}
				const err = await registryError(res);
				if (res.status === 401) throw new UnauthorizedError(err.errors.length > 0 ? err.message : "unauthorized: authentication required");
				throw err;
			}
		}
		/** One HTTP exchange; `authorization` goes only to the registry's origin (the endpoint the ping chose). */
		sendRaw(req, authorization) {
			const credentials = authorization && this.base ? {
				authorization,
				origin: this.base.origin
			} : void 0;
			return send({
				...req,
				...this.signal ? { signal: this.signal } : {},
				...credentials ? { credentials } : {},
				skipTlsVerify: this.options.insecure,
				timeouts: this.timeouts
			});
		}
		/** Runs `fn` again after transient failures (connection errors, 5xx, 429) with exponential backoff. */
		async withRetries(fn, worthRetrying = () => true) {
			for (let attempt = 0;; attempt++) try {
				return await fn();
			} catch (err) {
				if (!isTransient(err) || !worthRetrying(err) || attempt >= this.retries || this.signal?.aborted) throw err;
				await this.backoff(attempt);
			}
		}
		/** Waits before attempt `attempt + 1`: backoffMs, doubling. */
		async backoff(attempt) {
			await setTimeout$1(this.backoffMs * 2 ** attempt, void 0, this.signal ? { signal: this.signal } : {});
		}
		async getManifest(repository, reference, scopes) {
			const res = await this.request({
				method: "GET",
				path: `/v2/${repository}/manifests/${reference}`,
				scopes,
				headers: { accept: MANIFEST_ACCEPT },
				ok: [200]
			});
			const bytes = await readBody(res, MAX_MANIFEST_BYTES);
			const digest = digestOf(bytes);
			const claimed = reference.startsWith("sha256:") ? reference : headerString(res.headers["docker-content-digest"]);
			if (claimed && claimed.startsWith("sha256:") && claimed !== digest) throw new StrataError("data-loss", `manifest verification failed for digest ${claimed}`);
			return {
				bytes,
				mediaType: manifestMediaType(bytes, headerString(res.headers["content-type"])),
				digest
			};
		}
		/** HEAD a blob in a repository: true when the registry has it there. */
		async hasBlob(repository, digest, scopes) {
			const res = await this.request({
				method: "HEAD",
				path: `/v2/${repository}/blobs/${digest}`,
				scopes,
				ok: [200, 404]
			});
			discard(res);
			return res.status === 200;
		}
		/** Opens a blob for reading from `offset` (a Range request when resuming). */
		async openBlob(repository, digest, scopes, offset) {
			const headers = offset > 0 ? { range: `bytes=${offset}-` } : {};
			return this.request({
				method: "GET",
				path: `/v2/${repository}/blobs/${digest}`,
				scopes,
				headers,
				ok: offset > 0 ? [200, 206] : [200]
			});
		}
		/**
		* Cross-repository mount: `POST /blobs/uploads/?mount=…&from=…`. Returns undefined when the
		* registry mounted the blob (201), or the upload location it opened instead (202).
		*/
		async mountBlob(repository, digest, from, scopes) {
			const path = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
			const res = await this.request({
				method: "POST",
				path,
				scopes,
				headers: { "content-length": "0" },
				ok: [201, 202]
			});
			discard(res);
			return res.status === 201 ? void 0 : this.location(res);
		}
		async startUpload(repository, scopes) {
			const res = await this.request({
				method: "POST",
				path: `/v2/${repository}/blobs/uploads/`,
				scopes,
				headers: { "content-length": "0" },
				ok: [202]
			});
			discard(res);
			return this.location(res);
		}
		/** Monolithic upload: the whole blob in the closing `PUT ?digest=`. */
		async putBlob(location, digest, size, body, scopes) {
			discard(await this.request({
				method: "PUT",
				path: withDigest(location, digest),
				scopes,
				headers: {
					"content-type": "application/octet-stream",
					"content-length": String(size)
				},
				body,
				ok: [201],
				retry: false
			}));
		}
		/** One chunk of a chunked upload (`PATCH` with Content-Range); returns the next location. */
		async patchChunk(location, start, length, body, scopes) {
			const res = await this.request({
				method: "PATCH",
				path: location,
				scopes,
				headers: {
					"content-type": "application/octet-stream",
					"content-length": String(length),
					"content-range": `${start}-${start + length - 1}`
				},
				body,
				ok: [202],
				retry: false
			});
			discard(res);
			return this.location(res);
		}
		/** Closes a chunked upload: `PUT ?digest=` with no body. */
		async finishUpload(location, digest, scopes) {
			discard(await this.request({
				method: "PUT",
				path: withDigest(location, digest),
				scopes,
				headers: { "content-length": "0" },
				ok: [201]
			}));
		}
		async putManifest(repository, reference, bytes, mediaType, scopes) {
			const res = await this.request({
				method: "PUT",
				path: `/v2/${repository}/manifests/${reference}`,
				scopes,
				headers: { "content-type": mediaType },
				body: bytes,
				ok: [201]
			});
			discard(res);
			return headerString(res.headers["docker-content-digest"]) ?? digestOf(bytes);
		}
		/**
		* `GET /v2/<name>/tags/list`, following the registry's `Link: <…>; rel="next"` pages
		* (`n` tags at a time) to the end.
		*/
		async listTags(repository, scopes, pageSize = 1e3) {
			const tags = [];
			let path = `/v2/${repository}/tags/list?n=${pageSize}`;
			for (let page = 0;; page++) {
				if (page > 1e4) throw new StrataError("data-loss", `registry ${this.domain} keeps paginating the tags of ${repository}`);
				const res = await this.request({
					method: "GET",
					path,
					scopes,
					ok: [200]
				});
				const body = JSON.parse((await readBody(res, MAX_MANIFEST_BYTES)).toString("utf8"));
				if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t) => typeof t === "string"));
				const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(headerString(res.headers.link) ?? "");
				if (!next) return tags;
				path = new URL(next[1], res.url);
			}
		}
		location(res) {
			const loc = headerString(res.headers.location);
			if (!loc) throw new StrataError("data-loss", `registry ${this.domain} opened an upload without a Location`);
			return new URL(loc, res.url);
		}
	};
	UNKNOWN_AUTHORITY = /* @__PURE__ */ new Set([
		"DEPTH_ZERO_SELF_SIGNED_CERT",
		"SELF_SIGNED_CERT_IN_CHAIN",
		"UNABLE_TO_VERIFY_LEAF_SIGNATURE",
		"UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
	]);
}));
// src/main/engine/registry/session.ts
/**
* A client for the registry of `domain`, set up from the engine's settings: insecure when the
* user said so, registries.json lists it, or it is in docker's default 127.0.0.0/8.
*/
async function openClient(engine, domain, options) {
	const insecure = await isInsecureRegistry(domain, readRegistrySettings(engine.root), options.insecure ?? false);
	const store = options.credentials ?? new DockerConfigCredentialStore();
	let helperError;
	let cached;
	const credentials = () => cached ??= lookup();
	const lookup = async () => {
		try {
			return await store.get(domain);
		} catch (err) {
			if (err instanceof CredentialHelperError) {
				helperError = err;
				return;
			}
			throw err;
		}
	};
	const client = new RegistryClient({
		domain,
		credentials,
		insecure,
		...options.signal ? { signal: options.signal } : {},
		...options.retries !== void 0 ? { retries: options.retries } : {},
		...options.backoffMs !== void 0 ? { backoffMs: options.backoffMs } : {},
		...options.offline ? { offline: true } : {},
		...options.timeouts ? { timeouts: options.timeouts } : {}
	});
	const explain = (err) => err instanceof UnauthorizedError && helperError ? helperError : err;
	return {
		client,
		insecure,
		explain
	};
}
var init_session$1 = __esmMin((() => {
	init_credentials();
	init_credential_helper();
	init_client();
	init_settings();
	init_errors();
}));
// src/main/engine/registry/sources.ts
function ensureRegistrySchema(db) {
	migrate(db, "registry", REGISTRY_MIGRATIONS);
}
function recordBlobSources(db, registry, repository, digests) {
	const put = db.prepare(`INSERT INTO registry_blob_sources(digest, registry, repository, recorded_at) VALUES (?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET recorded_at = excluded.recorded_at`);
	const now = Date.now();
	db.transaction(() => {
		for (const d of digests) put.run(d, registry, repository, now);
	}).immediate();
}
/** Repositories on `registry` known to hold `digest`, most recently seen first. */
function blobSources(db, registry, digest) {
	return db.prepare("SELECT repository FROM registry_blob_sources WHERE digest = ? AND registry = ? ORDER BY recorded_at DESC").all(digest, registry).map((r) => r.repository);
}
var REGISTRY_MIGRATIONS;
var init_sources = __esmMin((() => {
	init_db();
	REGISTRY_MIGRATIONS = [`
  CREATE TABLE registry_blob_sources (
    digest       TEXT NOT NULL,
    registry     TEXT NOT NULL,
    repository   TEXT NOT NULL,
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (digest, registry, repository)
  ) STRICT;
  `];
}));
// src/main/engine/registry/transfer.ts
/** Byte-count progress, reported at most every `intervalMs` (and once more on flush). */
function progressThrottle(report, intervalMs = 100) {
	let last = 0;
	let current = 0;
	let reported = -1;
	return {
		update(n) {
			current = n;
			const now = Date.now();
			if (now - last >= intervalMs) {
				last = now;
				reported = n;
				report(n);
			}
		},
		flush() {
			if (reported !== current) report(current);
			reported = current;
		}
	};
}
/**
* After a failed or cancelled transfer: deletes the blobs it committed to the content store that
* no record names (under the metadata write lock, so a concurrent commit that names one wins).
* While another operation holds a lease it may be about to record the same blob, so the files are
* left to gc, which knows to wait for it.
*/
function removeUnrecorded(engine, digests) {
	for (const d of digests) engine.db.transaction(() => {
		if (engine.db.prepare("SELECT 1 FROM blobs WHERE digest = ?").get(d)) return;
		if (otherLiveLease(engine)) return;
		engine.content.delete(d);
	}).immediate();
}
function otherLiveLease(engine) {
	return engine.db.prepare("SELECT pid FROM leases").all().some((l) => alive(l.pid));
}
function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return err.code === "EPERM";
	}
}
var Limiter;
var init_transfer = __esmMin((() => {
	Limiter = class {
		active = 0;
		queue = [];
		limit;
		constructor(limit) {
			this.limit = Math.max(1, limit);
		}
		async run(task) {
			if (this.active >= this.limit) await new Promise((resolve) => this.queue.push(resolve));
			this.active++;
			try {
				return await task();
			} finally {
				this.active--;
				this.queue.shift()?.();
			}
		}
	};
}));
// src/main/engine/registry/pull.ts
/**
* `docker pull`: resolve the reference to one platform's manifest, download the config and the
* layers the store lacks (three at a time, verified, resumed with Range after a broken
* connection), and commit the image with the registry's exact manifest and config bytes.
* Anything a failed or cancelled pull wrote is removed again; nothing half-done is recorded.
*/
async function pull(engine, input, options = {}) {
	ensureRegistrySchema(engine.db);
	const ref = parseReference(input);
	const internal = new AbortController();
	const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
	const session = await openClient(engine, ref.domain, {
		...options,
		signal
	});
	const ctx = {
		engine,
		client: session.client,
		ref,
		scopes: [repositoryScope(ref.path, "pull")],
		emit: options.onProgress ?? (() => {}),
		internal,
		created: /* @__PURE__ */ new Set()
	};
	const wanted = options.platform === void 0 ? void 0 : typeof options.platform === "string" ? parsePlatform(options.platform) : normalizePlatform(options.platform);
	ctx.emit({
		id: "",
		status: `${ref.tag ?? ref.digest}: Pulling from ${ref.path}`
	});
	try {
		return await engine.gc.withLease(() => pullImage(ctx, wanted, options.concurrency ?? 3));
	} catch (err) {
		internal.abort();
		removeUnrecorded(engine, ctx.created);
		if (options.signal?.aborted) throw options.signal.reason ?? err;
		throw pullError(session.explain(err), ref);
	}
}
/**
* `docker pull --all-tags`: every tag the registry lists for the repository, pulled one after the
* other (layers shared between them are fetched once), with docker's single closing status line.
* Stops at the first tag that fails, as docker does.
*/
async function pullAllTags(engine, input, options = {}) {
	const ref = parseReference(input, { defaultTag: false });
	if (ref.tag !== void 0 || ref.digest !== void 0) throw new StrataError("invalid", "tag can't be used with --all-tags/-a");
	const repository = repositoryName(ref);
	const session = await openClient(engine, ref.domain, options);
	let tags;
	try {
		tags = await session.client.listTags(ref.path, [repositoryScope(ref.path, "pull")]);
	} catch (err) {
		if (options.signal?.aborted) throw options.signal.reason ?? err;
		throw pullError(session.explain(err), ref);
	}
	if (tags.length === 0) throw new StrataError("not-found", `no tags found for ${familiarName(repository)}`);
	const emit = options.onProgress ?? (() => {});
	const results = [];
	for (const tag of tags) {
		const result = await pull(engine, `${repository}:${tag}`, {
			...options,
			onProgress: (e) => {
				if (!(e.id === "" && e.status.startsWith("Status: "))) emit(e);
			}
		});
		results.push({
			tag,
			result
		});
	}
	const updated = results.some((r) => r.result.updated);
	emit({
		id: "",
		status: `Status: ${updated ? "Downloaded newer image" : "Image is up to date"} for ${familiarName(repository)}`
	});
	return {
		reference: repository,
		tags: results,
		updated
	};
}
async function pullImage(ctx, wanted, concurrency) {
	const { engine, ref } = ctx;
	const resolved = await resolveManifest(ctx.client, ref, ctx.scopes, wanted);
	const { top, manifest } = resolved;
	const configDigest = manifest.config.digest;
	const before = engine.images.get(configDigest);
	const oldTagged = ref.tag !== void 0 ? engine.images.tryResolve(formatReference({
		domain: ref.domain,
		path: ref.path,
		tag: ref.tag
	})) : void 0;
	const complete = before !== void 0 && engine.images.layers(configDigest).length === manifest.layers.length;
	if (!complete) prewarmIngestWorkers(Math.min(concurrency, manifest.layers.filter((l) => !engine.content.has(l.digest)).length));
	const config = complete ? engine.images.readConfig(configDigest) : await fetchConfig(ctx, manifest.config);
	if (wanted && !isIndexMediaType(top.mediaType)) checkPlatform(config, wanted, ref);
	const { layers, downloaded } = complete ? {
		layers: engine.images.layers(configDigest).map((l) => ({ ...l })),
		downloaded: 0
	} : await layersOf(ctx, manifest, config, concurrency);
	const image = await commitPulled(ctx, resolved, layers);
	const updated = downloaded > 0 || !before || ref.tag !== void 0 && oldTagged !== configDigest;
	ctx.emit({
		id: "",
		status: `Digest: ${top.digest}`
	});
	ctx.emit({
		id: "",
		status: `Status: ${updated ? "Downloaded newer image" : "Image is up to date"} for ${familiarString(ref)}`
	});
	return {
		image,
		reference: formatReference(ref),
		digest: top.digest,
		updated,
		layersDownloaded: downloaded,
		layersSkipped: manifest.layers.length - downloaded
	};
}
/** Plans each layer (known or to fetch) against the config's diff IDs and fetches what is missing. */
async function layersOf(ctx, manifest, config, concurrency) {
	const diffIds = config.rootfs?.diff_ids ?? [];
	if (diffIds.length !== manifest.layers.length) throw new StrataError("data-loss", `invalid image: the config lists ${diffIds.length} layers but the manifest ${manifest.layers.length}`);
	return downloadLayers(ctx, manifest.layers.map((d, i) => ({
		descriptor: d,
		diffId: diffIds[i],
		known: knownLayer(ctx.engine, d)
	})), concurrency);
}
/** Stores the manifest bytes and records the image, its tag and repo digest, and where its blobs live. */
async function commitPulled(ctx, resolved, layers) {
	const { engine, ref } = ctx;
	const { manifest, manifestBytes, manifestDigest } = resolved;
	if (!engine.content.has(manifestDigest)) {
		await engine.content.put(manifestBytes, { digest: manifestDigest });
		ctx.created.add(manifestDigest);
	}
	const image = engine.images.commit({
		configDigest: manifest.config.digest,
		configSize: manifest.config.size,
		manifestDigest,
		manifestSize: manifestBytes.length,
		manifestMediaType: resolved.manifestMediaType,
		layers,
		...ref.tag !== void 0 ? { tags: [formatReference({
			domain: ref.domain,
			path: ref.path,
			tag: ref.tag
		})] } : {},
		repoDigests: [{
			repository: repositoryName(ref),
			digest: resolved.top.digest
		}],
		events: [imageEvent("pull", familiarString(ref), familiarName(repositoryName(ref)), engine.images.readConfig(manifest.config.digest).config?.Labels ?? {})]
	});
	recordBlobSources(engine.db, ref.domain, ref.path, [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]);
	return image;
}
function checkPlatform(config, wanted, ref) {
	const actual = normalizePlatform({
		os: config.os,
		architecture: config.architecture,
		...config.variant ? { variant: config.variant } : {}
	});
	if (!platformMatches(wanted, actual)) throw new StrataError("not-found", `image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(wanted)}, actual: ${formatPlatform(actual)}`);
}
async function resolveManifest(client, ref, scopes, wanted) {
	const top = await client.getManifest(ref.path, ref.digest ?? ref.tag, scopes);
	let fetched = top;
	if (isIndexMediaType(top.mediaType)) {
		const index = parseJson(top.bytes, "manifest list");
		if (!Array.isArray(index.manifests)) throw new StrataError("data-loss", "invalid manifest list: no manifests");
		const choice = selectManifest(index.manifests, wanted ?? defaultPlatform());
		fetched = await client.getManifest(ref.path, choice.digest, scopes);
	}
	if (!isManifestMediaType(fetched.mediaType)) throw new StrataError("unsupported", `unsupported manifest media type ${fetched.mediaType}: only Docker schema 2 and OCI image manifests can be pulled`);
	const manifest = parseJson(fetched.bytes, "manifest");
	if (manifest.schemaVersion !== 2 || !manifest.config?.digest || !Array.isArray(manifest.layers)) throw new StrataError("data-loss", `invalid manifest ${fetched.digest}: not an image manifest`);
	return {
		top: {
			digest: top.digest,
			mediaType: top.mediaType
		},
		manifest,
		manifestBytes: fetched.bytes,
		manifestDigest: fetched.digest,
		manifestMediaType: fetched.mediaType
	};
}
function parseJson(bytes, what) {
	try {
		return JSON.parse(bytes.toString("utf8"));
	} catch {
		throw new StrataError("data-loss", `invalid ${what}: not JSON`);
	}
}
/** A layer whose blob and record are already in the store: nothing to download. */
function knownLayer(engine, d) {
	if (!engine.content.has(d.digest)) return void 0;
	const row = engine.db.prepare("SELECT lb.diff_id, lb.compression, l.size, l.diff_size FROM layer_blobs lb JOIN layers l ON l.diff_id = lb.diff_id WHERE lb.blob_digest = ?").get(d.digest);
	if (!row) return void 0;
	return {
		blobDigest: d.digest,
		blobSize: d.size,
		mediaType: d.mediaType,
		compression: row.compression,
		diffId: row.diff_id,
		size: row.size,
		diffSize: row.diff_size
	};
}
async function fetchConfig(ctx, d) {
	const { engine } = ctx;
	if (!engine.content.has(d.digest)) {
		try {
			await engine.content.ingest(blobBytes(ctx.client, ctx.ref.path, d, ctx.scopes, () => {}), {
				digest: d.digest,
				size: d.size
			});
		} catch (err) {
			if (err instanceof DigestMismatchError || err instanceof SizeMismatchError) throw new StrataError("data-loss", `image config verification failed for digest ${d.digest}`);
			throw err;
		}
		ctx.created.add(d.digest);
	}
	return parseJson(engine.content.readBytes(d.digest), "image config");
}
async function downloadLayers(ctx, plans, concurrency) {
	const { emit } = ctx;
	const layers = plans.map((p) => p.known);
	const firstOf = /* @__PURE__ */ new Map();
	plans.forEach((p, i) => {
		if (!firstOf.has(p.descriptor.digest)) firstOf.set(p.descriptor.digest, i);
	});
	const toFetch = plans.map((_, i) => i).filter((i) => !plans[i].known && firstOf.get(plans[i].descriptor.digest) === i);
	for (const [i, p] of plans.entries()) if (p.known || firstOf.get(p.descriptor.digest) !== i) emit({
		id: shortId(p.descriptor.digest),
		status: "Already exists"
	});
	else emit({
		id: shortId(p.descriptor.digest),
		status: "Pulling fs layer"
	});
	toFetch.slice(concurrency).forEach((i) => emit({
		id: shortId(plans[i].descriptor.digest),
		status: "Waiting"
	}));
	const limiter = new Limiter(concurrency);
	const done = /* @__PURE__ */ new Set();
	let nextComplete = 0;
	const completeInOrder = () => {
		while (nextComplete < plans.length && (plans[nextComplete].known || done.has(firstOf.get(plans[nextComplete].descriptor.digest)))) {
			const p = plans[nextComplete];
			if (!p.known && firstOf.get(p.descriptor.digest) === nextComplete) emit({
				id: shortId(p.descriptor.digest),
				status: "Pull complete"
			});
			nextComplete++;
		}
	};
	const jobs = toFetch.map((i) => limiter.run(async () => {
		const plan = plans[i];
		const layer = await downloadLayer(ctx, plan);
		layers[i] = layer;
		done.add(i);
		completeInOrder();
	}).catch((err) => {
		ctx.internal.abort(err);
		throw err;
	}));
	const results = await Promise.allSettled(jobs);
	const failed = results.find((r) => r.status === "rejected");
	if (failed) throw firstRealError(results, failed.reason);
	completeInOrder();
	return {
		layers: plans.map((p, i) => layers[i] ?? layers[firstOf.get(p.descriptor.digest)]),
		downloaded: toFetch.length
	};
}
/** The failure that caused the others (which were cancelled because of it). */
function firstRealError(results, fallback) {
	const real = results.find((r) => r.status === "rejected" && !(r.reason instanceof Error && r.reason.name === "AbortError"));
	return real && real.status === "rejected" ? real.reason : fallback;
}
async function downloadLayer(ctx, plan) {
	const { engine, emit } = ctx;
	const d = plan.descriptor;
	const id = shortId(d.digest);
	const progress = progressThrottle((current) => emit({
		id,
		status: "Downloading",
		current,
		total: d.size
	}));
	const existed = engine.content.has(d.digest);
	let layer;
	try {
		const bytes = blobBytes(ctx.client, ctx.ref.path, d, ctx.scopes, progress.update, void 0, void 0, 0);
		layer = await ingestOffThread(engine.content, bytes, {
			digest: d.digest,
			size: d.size
		});
	} catch (err) {
		if (err instanceof DigestMismatchError) throw new StrataError("data-loss", `filesystem layer verification failed for digest ${d.digest}`);
		if (err instanceof SizeMismatchError) throw new StrataError("data-loss", `filesystem layer verification failed for digest ${d.digest}: ${err.message}`);
		throw err;
	}
	if (!existed) ctx.created.add(d.digest);
	progress.flush();
	emit({
		id,
		status: "Verifying Checksum"
	});
	if (layer.diffId !== plan.diffId) throw new StrataError("data-loss", `layer ${d.digest} unpacks to ${layer.diffId}, but the image config says ${plan.diffId}`);
	emit({
		id,
		status: "Download complete"
	});
	return {
		blobDigest: layer.blob.digest,
		blobSize: layer.blob.size,
		mediaType: d.mediaType,
		compression: layer.compression,
		diffId: layer.diffId,
		size: layer.size,
		diffSize: layer.diffSize,
		files: layer.files
	};
}
/**
* The bytes of a blob, fetched again from where they broke off (a Range request) when the
* connection fails or ends early; the consumer hashes the whole stream, so the result is
* verified as a whole however many pieces it arrived in.
*/
async function* blobBytes(client, repository, d, scopes, onBytes, retries = client.downloadRetries, backoffMs = client.backoffMs, coalesceBytes = COALESCE_BYTES) {
	let received = 0;
	let failures = 0;
	let pending = [];
	let pendingBytes = 0;
	const flush = () => {
		const out = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
		pending = [];
		pendingBytes = 0;
		return out;
	};
	for (;;) {
		let body;
		try {
			const res = await client.openBlob(repository, d.digest, scopes, received);
			body = res.body;
			let skip = received > 0 && res.status === 200 ? received : 0;
			if (res.status === 206 && !new RegExp(`^bytes ${received}-`).test(String(res.headers["content-range"] ?? ""))) throw new StrataError("data-loss", `registry answered a range request for ${d.digest} with the wrong range`);
			for await (const raw of res.body) {
				let chunk = raw;
				if (skip > 0) {
					const n = Math.min(skip, chunk.length);
					chunk = chunk.subarray(n);
					skip -= n;
					if (chunk.length === 0) continue;
				}
				if (received + chunk.length > d.size) throw new SizeMismatchError(d.size, received + chunk.length, d.digest);
				received += chunk.length;
				onBytes(received);
				pending.push(chunk);
				pendingBytes += chunk.length;
				if (pendingBytes >= coalesceBytes) yield flush();
			}
			if (pendingBytes > 0) yield flush();
			if (received === d.size) return;
			throw Object.assign(/* @__PURE__ */ new Error("premature end"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
		} catch (err) {
			if (pendingBytes > 0) yield flush();
			const retryable = isTransientNetworkError(err) || err instanceof RegistryError && err.status >= 500;
			if (!retryable || failures >= retries || client.signal?.aborted) {
				if (retryable && errorCode(err) === "deadline-exceeded" && !client.signal?.aborted) throw new StrataError("deadline-exceeded", `downloading ${d.digest}: ${err.message}; got ${received} of ${d.size} bytes after ${failures + 1} attempts`, { cause: err });
				if (retryable && !(err instanceof RegistryError) && !client.signal?.aborted) throw new StrataError("unavailable", `unexpected EOF downloading ${d.digest}: got ${received} of ${d.size} bytes after ${failures + 1} attempts`);
				throw err;
			}
			failures++;
			await setTimeout$1(backoffMs * 2 ** (failures - 1), void 0, client.signal ? { signal: client.signal } : {});
		} finally {
			body?.destroy();
		}
	}
}
/** docker's wording for the common ways a pull is refused. */
function pullError(err, ref) {
	const name = familiarName(repositoryName(ref));
	if (err instanceof RegistryError && err.status === 404 && err.hasCode("MANIFEST_UNKNOWN")) return new StrataError("not-found", `manifest for ${familiarString(ref)} not found: ${err.message}`);
	if (err instanceof RegistryError && (err.status === 404 || err.status === 403) && !err.hasCode("BLOB_UNKNOWN") || err instanceof UnauthorizedError && ref.domain === "docker.io") return new StrataError(errorCode(err), `pull access denied for ${name}, repository does not exist or may require 'docker login': ${err.message}`, { cause: err });
	return err;
}
var COALESCE_BYTES;
var init_pull = __esmMin((() => {
	init_oci();
	init_reference();
	init_event_log();
	init_content_store();
	init_format();
	init_auth();
	init_http$1();
	init_errors$2();
	init_ingest_pool();
	init_errors();
	init_platform();
	init_session$1();
	init_sources();
	init_transfer();
	COALESCE_BYTES = 1048576;
}));
// src/main/engine/registry/push.ts
/**
* `docker push`: for each blob of the image's manifest, ask the registry whether the repository
* already has it (HEAD), mount it from another repository of the same registry that we know holds
* it, or upload it; then PUT the manifest under the tag and record the repo digest. The manifest
* is the stored one, byte for byte, so the digest is the same everywhere.
*/
async function push(engine, input, options = {}) {
	ensureRegistrySchema(engine.db);
	const ref = parseReference(input);
	if (ref.digest !== void 0) throw new StrataError("invalid", "cannot push a digest reference");
	const tag = ref.tag;
	const imageId = engine.images.tryResolve(formatReference(ref));
	if (!imageId) throw new StrataError("not-found", `An image does not exist locally with the tag: ${familiarName(repositoryName(ref))}`);
	const emit = options.onProgress ?? (() => {});
	const session = await openClient(engine, ref.domain, options);
	const { client } = session;
	const scopes = [repositoryScope(ref.path, "push,pull")];
	emit({
		id: "",
		status: `The push refers to repository [${repositoryName(ref)}]`
	});
	try {
		const m = await storedManifest(engine, imageId);
		const counts = await pushLayers(engine, client, ref, m.manifest.layers, scopes, options, emit);
		await pushBlob(engine, client, ref, m.manifest.config, scopes, options, () => {});
		const digest = await client.putManifest(ref.path, tag, m.bytes, m.mediaType, scopes);
		if (digest !== m.digest) throw new StrataError("data-loss", `registry stored the manifest as ${digest}, expected ${m.digest}`);
		recordBlobSources(engine.db, ref.domain, ref.path, [m.manifest.config.digest, ...m.manifest.layers.map((l) => l.digest)]);
		recordRepoDigest(engine, imageId, m, ref, imageEvent("push", familiarString(ref), familiarName(repositoryName(ref)), engine.images.get(imageId)?.labels ?? {}));
		emit({
			id: "",
			status: `${tag}: digest: ${m.digest} size: ${m.bytes.length}`
		});
		return {
			reference: formatReference(ref),
			tag,
			digest: m.digest,
			size: m.bytes.length,
			...counts
		};
	} catch (err) {
		if (options.signal?.aborted) throw options.signal.reason ?? err;
		throw session.explain(err);
	}
}
/**
* `docker push --all-tags`: every tag of the repository in the store, one after the other, under
* one "The push refers to repository" line. Blobs the first tags pushed are "already there" for
* the next ones.
*/
async function pushAllTags(engine, input, options = {}) {
	const ref = parseReference(input, { defaultTag: false });
	if (ref.tag !== void 0 || ref.digest !== void 0) throw new StrataError("invalid", "tag can't be used with --all-tags/-a");
	const repository = repositoryName(ref);
	const tags = engine.images.tagsInRepository(repository);
	if (tags.length === 0) throw new StrataError("not-found", `An image does not exist locally with the tag: ${familiarName(repository)}`);
	const emit = options.onProgress ?? (() => {});
	const results = [];
	for (const [i, [tag]] of tags.entries()) results.push(await push(engine, `${repository}:${tag}`, {
		...options,
		onProgress: (e) => {
			if (i === 0 || !(e.id === "" && e.status.startsWith("The push refers to repository"))) emit(e);
		}
	}));
	return results;
}
/**
* The image's manifest as stored. Images recorded without one (older stores) get an OCI manifest
* written now and remembered, so every later push sends the same bytes.
*/
async function storedManifest(engine, imageId) {
	const record = engine.images.get(imageId);
	if (record.manifestDigest && engine.content.has(record.manifestDigest)) {
		const bytes = engine.content.readBytes(record.manifestDigest);
		const manifest = JSON.parse(bytes.toString("utf8"));
		const row = engine.db.prepare("SELECT media_type FROM blobs WHERE digest = ?").get(record.manifestDigest);
		const mediaType = manifest.mediaType || row?.media_type || MediaType.OciManifest;
		if (manifest.config?.digest !== imageId) throw new StrataError("data-loss", `stored manifest ${record.manifestDigest} does not describe image ${shortId(imageId)}`);
		return {
			bytes,
			digest: record.manifestDigest,
			mediaType,
			manifest
		};
	}
	const layers = engine.images.layers(imageId);
	const manifest = {
		schemaVersion: 2,
		mediaType: MediaType.OciManifest,
		config: {
			mediaType: MediaType.OciConfig,
			digest: imageId,
			size: engine.content.size(imageId)
		},
		layers: layers.map((l) => ({
			mediaType: l.mediaType || layerMediaType(l.compression, "oci"),
			digest: l.blobDigest,
			size: l.blobSize
		}))
	};
	const bytes = Buffer.from(JSON.stringify(manifest));
	return engine.gc.withLease(async () => {
		const blob = await engine.content.put(bytes);
		engine.images.commit({
			configDigest: imageId,
			configSize: manifest.config.size,
			manifestDigest: blob.digest,
			manifestSize: blob.size,
			manifestMediaType: MediaType.OciManifest,
			layers: layers.map((l) => ({ ...l }))
		});
		return {
			bytes,
			digest: blob.digest,
			mediaType: MediaType.OciManifest,
			manifest
		};
	});
}
function recordRepoDigest(engine, imageId, m, ref, pushed) {
	engine.images.commit({
		configDigest: imageId,
		configSize: m.manifest.config.size,
		manifestDigest: m.digest,
		manifestSize: m.bytes.length,
		manifestMediaType: m.mediaType,
		layers: engine.images.layers(imageId).map((l) => ({ ...l })),
		repoDigests: [{
			repository: repositoryName(ref),
			digest: m.digest
		}],
		events: [pushed]
	});
}
async function pushLayers(engine, client, ref, layers, scopes, options, emit) {
	const unique = [...new Map(layers.map((l) => [l.digest, l])).values()].reverse();
	const concurrency = options.concurrency ?? 5;
	for (const l of unique) emit({
		id: shortId(l.digest),
		status: "Preparing"
	});
	unique.slice(concurrency).forEach((l) => emit({
		id: shortId(l.digest),
		status: "Waiting"
	}));
	const limiter = new Limiter(concurrency);
	const counts = {
		pushed: 0,
		mounted: 0,
		existed: 0
	};
	const internal = new AbortController();
	const failed = (await Promise.allSettled(unique.map((l) => limiter.run(async () => {
		if (internal.signal.aborted) throw internal.signal.reason;
		const id = shortId(l.digest);
		const outcome = await pushBlob(engine, client, ref, l, scopes, options, (status, current) => emit({
			id,
			status,
			...current !== void 0 ? {
				current,
				total: l.size
			} : {}
		}));
		counts[outcome]++;
	}).catch((err) => {
		internal.abort(err);
		throw err;
	})))).find((r) => r.status === "rejected");
	if (failed) throw failed.reason;
	return counts;
}
/** Puts one blob in the repository unless it is there already; reports docker's statuses. */
async function pushBlob(engine, client, ref, d, scopes, options, report) {
	if (!engine.content.has(d.digest)) throw new StrataError("data-loss", `blob ${d.digest} is missing from the store; cannot push ${familiarName(repositoryName(ref))}`);
	if (await client.hasBlob(ref.path, d.digest, scopes)) {
		report("Layer already exists");
		return "existed";
	}
	let location;
	for (const from of blobSources(engine.db, ref.domain, d.digest).filter((r) => r !== ref.path)) {
		const mountScopes = [...scopes, repositoryScope(from, "pull")];
		try {
			location = await client.mountBlob(ref.path, d.digest, from, mountScopes);
		} catch (err) {
			if (err instanceof RegistryError && err.status < 500) continue;
			throw err;
		}
		if (location === void 0) {
			report(`Mounted from ${from}`);
			return "mounted";
		}
		break;
	}
	const chunkSize = options.chunkSize ?? 67108864;
	for (let attempt = 0;; attempt++) try {
		location ??= await client.startUpload(ref.path, scopes);
		await uploadBlob(engine, client, location, d, scopes, chunkSize, (sent) => report("Pushing", sent));
		break;
	} catch (err) {
		if (!(isTransient(err) || err instanceof RegistryError && (err.hasCode("BLOB_UPLOAD_INVALID") || err.hasCode("BLOB_UPLOAD_UNKNOWN"))) || attempt >= client.retries || client.signal?.aborted) throw err;
		await client.backoff(attempt);
		location = void 0;
	}
	report("Pushed");
	return "pushed";
}
async function uploadBlob(engine, client, location, d, scopes, chunkSize, onSent) {
	const progress = progressThrottle(onSent);
	const read = (start, length, base) => () => {
		const s = createReadStream(engine.content.path(d.digest), {
			start,
			end: start + length - 1,
			highWaterMark: 1 << 20
		});
		let sent = base;
		s.on("data", (c) => progress.update(sent += c.length));
		return s;
	};
	if (d.size <= chunkSize) await client.putBlob(location, d.digest, d.size, read(0, d.size, 0), scopes);
	else {
		let offset = 0;
		let failures = 0;
		while (offset < d.size) {
			const length = Math.min(chunkSize, d.size - offset);
			try {
				location = await client.patchChunk(location, offset, length, read(offset, length, offset), scopes);
				offset += length;
				failures = 0;
			} catch (err) {
				if (!(isTransient(err) || err instanceof RegistryError && err.status === 416) || failures >= client.retries || client.signal?.aborted) throw err;
				if (isTransient(err)) await client.backoff(failures);
				failures++;
				offset = await uploadedSoFar(client, location, scopes);
			}
		}
		await client.finishUpload(location, d.digest, scopes);
	}
	progress.update(d.size);
	progress.flush();
}
/** `GET <upload location>` → `Range: 0-N`: how many bytes of an upload the registry holds. */
async function uploadedSoFar(client, location, scopes) {
	const res = await client.request({
		method: "GET",
		path: location,
		scopes,
		ok: [204]
	});
	res.body.resume();
	const range = /^(?:bytes=)?0-(\d+)$/.exec(String(res.headers.range ?? ""));
	const end = range ? Number(range[1]) : 0;
	return end === 0 ? 0 : end + 1;
}
var init_push = __esmMin((() => {
	init_oci();
	init_reference();
	init_event_log();
	init_format();
	init_auth();
	init_client();
	init_errors();
	init_session$1();
	init_sources();
	init_transfer();
	init_errors$2();
}));
// src/main/engine/container/commit.ts
/** The image-facing part of a container's config (runtime-only settings dropped). */
function imageConfigOf(settings) {
	const out = {};
	for (const k of IMAGE_CONFIG_KEYS) {
		const v = settings[k];
		if (v !== void 0) out[k] = structuredClone(v);
	}
	return out;
}
/**
* `commit`: the container's writable layer becomes one new layer on top of its image's layers
* (which are shared, never copied); the config is the container's with `--change` applied; the
* history gains one entry with the container's command, the message and the author.
*/
async function commitContainer(engine, ref, options = {}) {
	const rec = engine.containers.get(ref);
	const parent = engine.images.readConfig(rec.imageId);
	const config = applyConfigChanges(imageConfigOf(rec.config), options.changes ?? []);
	const frozen = rec.state === "running" && options.pause !== false && rec.sandboxPid > 0;
	if (frozen) signalGroup(rec.sandboxPid, "SIGSTOP");
	try {
		const lowerDirs = await engine.containers.lowerDirs(rec.id);
		return await engine.gc.withLease(async () => {
			const layer = await layerFromUpper(engine, lowerDirs, engine.containers.upperDir(rec.id));
			const created = (/* @__PURE__ */ new Date()).toISOString();
			const entry = {
				created,
				created_by: (rec.config.Cmd ?? []).join(" ")
			};
			if (options.author) entry.author = options.author;
			if (options.message) entry.comment = options.message;
			const imageConfig = {
				architecture: parent.architecture,
				os: parent.os,
				...parent.variant ? { variant: parent.variant } : {},
				created,
				...options.author ? { author: options.author } : {},
				...options.message ? { comment: options.message } : {},
				container: rec.id,
				config,
				rootfs: {
					type: "layers",
					diff_ids: []
				},
				history: [...parent.history ?? [], entry]
			};
			const parentLayers = engine.images.layers(rec.imageId).map((l) => ({
				blobDigest: l.blobDigest,
				blobSize: l.blobSize,
				compression: l.compression,
				diffId: l.diffId,
				size: l.size,
				diffSize: l.diffSize
			}));
			const newLayer = {
				blobDigest: layer.blob.digest,
				blobSize: layer.blob.size,
				compression: layer.compression,
				diffId: layer.diffId,
				size: layer.size,
				diffSize: layer.diffSize,
				files: layer.files
			};
			return writeImage(engine.content, engine.images, {
				config: imageConfig,
				layers: [...parentLayers, newLayer],
				parentId: rec.imageId,
				...options.reference ? { tags: [options.reference] } : {},
				events: (id) => [engine.containers.event("commit", rec, {
					comment: options.message ?? "",
					imageID: id,
					imageRef: options.reference ? familiarString(parseReference(options.reference)) : ""
				})]
			});
		});
	} finally {
		if (frozen) signalGroup(rec.sandboxPid, "SIGCONT");
	}
}
function signalGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
	} catch {}
}
var IMAGE_CONFIG_KEYS;
var init_commit = __esmMin((() => {
	init_reference();
	init_image_writer();
	init_changes();
	init_config_changes();
	IMAGE_CONFIG_KEYS = [
		"User",
		"ExposedPorts",
		"Env",
		"Entrypoint",
		"Cmd",
		"Volumes",
		"WorkingDir",
		"Labels",
		"StopSignal",
		"Healthcheck",
		"OnBuild",
		"Shell",
		"ArgsEscaped"
	];
}));
// src/shared/contract.ts
var RESIZE_PREFIX;
var init_contract = __esmMin((() => {
	RESIZE_PREFIX = "\0resize:";
}));
// src/main/host/containers-host.ts
function listContainers(engine, all) {
	const now = Date.now();
	return engine.containers.list({ all }).map((c) => ({
		id: c.id,
		names: [c.name],
		image: c.image,
		imageId: c.imageId,
		command: containerArgs(c.config).join(" "),
		created: Math.floor(c.created / 1e3),
		state: c.state,
		status: statusText(c, now),
		startedAt: Math.floor(c.startedAt / 1e3),
		finishedAt: Math.floor(c.finishedAt / 1e3),
		exitCode: c.exitCode,
		attached: c.state === "running" && engine.containers.attach(c.id) !== void 0,
		sizeRw: engine.containers.sizeRw(c.id)
	}));
}
function createContainer(engine, p) {
	return { id: engine.containers.create({
		image: p.image,
		...p.name ? { name: p.name } : {},
		...p.command.length ? { cmd: p.command } : {},
		env: p.env.filter((e) => e.indexOf("=") > 0),
		tty: true,
		openStdin: true
	}).id };
}
/** Starts a container in this process, the way `docker start` does: only on an explicit request. */
async function startContainer(engine, id) {
	await engine.containers.start(id, { size: START_SIZE });
}
async function restartContainer(engine, id) {
	await engine.containers.stop(id);
	await engine.containers.start(id, { size: START_SIZE });
}
/**
* A terminal on the container's process: attaches to a container this host runs. Opening a
* terminal never starts a container (Start is an explicit action). Cancelling detaches; the
* container keeps running.
*/
async function terminal(engine, p, ctx) {
	const rec = engine.containers.get(p.id);
	const proc = engine.containers.attach(rec.id);
	if (!proc) {
		if (rec.state === "running") throw new StrataError("conflict", `container ${rec.name} runs in another process: its terminal is there`);
		throw new StrataError("conflict", `container ${rec.name} is not running: start it first`);
	}
	engine.containers.announce("attach", rec.id);
	proc.resize(p.cols, p.rows);
	const live = proc;
	let attached = true;
	live.onData((d) => {
		if (attached) ctx.emit({ data: d.toString("utf8") });
	});
	ctx.onInput((data) => {
		if (data.startsWith("\0resize:")) {
			const [cols, rows] = data.slice(RESIZE_PREFIX.length).split("x").map(Number);
			if (cols && rows && cols < 1e3 && rows < 1e3) live.resize(cols, rows);
		} else live.write(data);
	});
	const detached = new Promise((resolve) => ctx.signal.addEventListener("abort", () => {
		attached = false;
		resolve({ exitCode: -1 });
	}, { once: true }));
	return Promise.race([live.exited.then((r) => ({ exitCode: r.exitCode })), detached]);
}
async function listFiles(engine, id, dir) {
	const view = await engine.containers.rootfs(id);
	const marks = new Map((await engine.containers.changes(id)).map((c) => [c.path, c.kind]));
	const base = dir === "" || dir === "/" ? "/" : `/${dir.replace(/^\/+|\/+$/g, "")}`;
	return view.list(base).map((e) => {
		const path = base === "/" ? `/${e.name}` : `${base}/${e.name}`;
		const mark = marks.get(path);
		return {
			path,
			type: e.type,
			size: e.size,
			...mark ? { change: mark } : {}
		};
	}).sort((a, b) => Number(b.type === "dir") - Number(a.type === "dir") || a.path.localeCompare(b.path));
}
/**
* The Files tab's text view: at most MAX_VIEW_BYTES read through the opened file's descriptor (a
* file the container grows meanwhile is never read whole); larger files and non-text show as binary.
*/
async function readFile(engine, id, path) {
	const view = await engine.containers.rootfs(id);
	const st = view.stat(path);
	if (!st) throw new StrataError("not-found", `no such file or directory: ${path}`);
	if (st.type === "dir") throw new StrataError("invalid", `is a directory: ${path}`);
	const { data, size } = view.readBytes(path, MAX_VIEW_BYTES);
	if (size > MAX_VIEW_BYTES) return {
		text: "",
		binary: true
	};
	const text = data.toString("utf8");
	const binary = text.includes("\0") || text.includes("�");
	return {
		text: binary ? "" : text,
		binary
	};
}
async function writeFile$1(engine, id, path, text) {
	(await engine.containers.rootfs(id)).write(path, text);
	engine.bus.emit({
		kind: "container",
		action: "changed",
		id: engine.containers.get(id).id
	});
}
async function diff$1(engine, id) {
	return (await engine.containers.changes(id)).map((c) => ({
		kind: c.kind,
		path: c.path
	}));
}
async function commit$1(engine, p) {
	return { id: (await commitContainer(engine, p.id, {
		...p.repository ? { reference: p.repository } : {},
		...p.message ? { message: p.message } : {},
		...p.author ? { author: p.author } : {},
		changes: p.changes.filter((c) => c.trim() !== "")
	})).id };
}
/**
* docker logs [-f]: the recorded lines, then, when following a container this host runs, its
* output as it comes until it exits or the view stops listening.
*/
async function logs$1(engine, p, ctx) {
	for (const l of engine.containers.logs(p.id)) ctx.emit({ data: l.text });
	const live = p.follow ? engine.containers.attach(p.id) : void 0;
	live?.onData((d) => {
		if (!ctx.signal.aborted) ctx.emit({ data: d.toString("utf8") });
	});
	if (!live) return null;
	await Promise.race([live.exited.catch(() => void 0), new Promise((r) => ctx.signal.addEventListener("abort", r, { once: true }))]);
	return null;
}
function inspectContainer$1(engine, id) {
	const c = engine.containers.get(id);
	return {
		Id: c.id,
		Name: `/${c.name}`,
		Image: c.imageId,
		Created: new Date(c.created).toISOString(),
		State: {
			Status: c.state,
			Running: c.state === "running",
			ExitCode: c.exitCode,
			StartedAt: c.startedAt ? new Date(c.startedAt).toISOString() : "0001-01-01T00:00:00Z",
			FinishedAt: c.finishedAt ? new Date(c.finishedAt).toISOString() : "0001-01-01T00:00:00Z"
		},
		Config: {
			...c.config,
			Image: c.image
		},
		SizeRw: engine.containers.sizeRw(c.id)
	};
}
var MAX_VIEW_BYTES, START_SIZE;
var init_containers_host = __esmMin((() => {
	init_container_service();
	init_config();
	init_commit();
	init_contract();
	init_errors$2();
	MAX_VIEW_BYTES = 1 << 20;
	START_SIZE = {
		cols: 120,
		rows: 30
	};
}));
// src/main/engine/registry/login.ts
/**
* The registry a `login`/`logout` argument names, as docker reads it: none is Docker Hub, and
* `https://host:5000/v2/` or `http://host:5000` is `host:5000`.
*/
function loginRegistry(arg) {
	if (!arg) return DEFAULT_DOMAIN;
	const host = arg.replace(/^https?:\/\//, "").split("/")[0].toLowerCase();
	return host === "index.docker.io" || host === "registry-1.docker.io" ? DEFAULT_DOMAIN : host;
}
/**
* `docker login`: checks the credentials against the registry (a ping answered with them, or a
* token issued for them) and only then stores them. A token server that hands out a refresh
* token gets that stored instead of the password, as docker does.
*/
async function login(engine, registry, credentials, options = {}) {
	const store = options.credentials ?? new DockerConfigCredentialStore();
	const asked = {
		username: credentials.username,
		password: credentials.password
	};
	const { identityToken } = await (await openClient(engine, registry, {
		...options,
		offline: true,
		credentials: {
			get: async () => asked,
			store: async () => {},
			erase: async () => false
		}
	})).client.login();
	try {
		await store.store(registry, identityToken ? {
			username: credentials.username,
			password: "",
			identityToken
		} : asked);
	} catch (err) {
		throw new StrataError(errorCode(err), `Error saving credentials: ${err.message}`, { cause: err });
	}
	announceLogin(engine, "login", registry, credentials.username);
}
/** `docker logout`: returns false when nothing was stored for the registry. */
async function logout(engine, registry, store = new DockerConfigCredentialStore()) {
	const removed = await store.erase(registry);
	if (removed) announceLogin(engine, "logout", registry);
	return removed;
}
/**
* Strata's `registry` event: the credentials live outside the store (config.json, a helper, the
* keychain), so the event follows their write; views of the logins refresh from it. Never the secret.
*/
function announceLogin(engine, action, registry, username) {
	engine.events.announce({
		type: "registry",
		action,
		id: registry,
		attributes: username ? { username } : {}
	});
}
var init_login = __esmMin((() => {
	init_reference();
	init_credentials();
	init_session$1();
	init_errors$2();
}));
// src/main/engine/registry/sealed-credentials.ts
var SealedCredentialStore;
var init_sealed_credentials = __esmMin((() => {
	SealedCredentialStore = class {
		file;
		/** Sealed: there is no plaintext copy to warn about. */
		plaintextLocation = void 0;
		sealer;
		constructor(file, sealer) {
			this.file = file;
			this.sealer = sealer;
		}
		read() {
			if (!existsSync(this.file)) return {};
			return JSON.parse(readFileSync(this.file, "utf8")).auths ?? {};
		}
		write(auths) {
			mkdirSync(dirname(this.file), {
				recursive: true,
				mode: 448
			});
			const tmp = `${this.file}.${randomBytes(4).toString("hex")}.tmp`;
			writeFileSync(tmp, `${JSON.stringify({ auths }, null, 2)}\n`, { mode: 384 });
			renameSync(tmp, this.file);
		}
		async get(registry) {
			const sealed = this.read()[registry];
			if (!sealed) return void 0;
			const parsed = JSON.parse(this.sealer.decrypt(Buffer.from(sealed, "base64")));
			return {
				username: parsed.username,
				password: parsed.password,
				...parsed.identityToken ? { identityToken: parsed.identityToken } : {}
			};
		}
		async store(registry, credentials) {
			const auths = this.read();
			auths[registry] = this.sealer.encrypt(JSON.stringify({
				username: credentials.username,
				password: credentials.password,
				...credentials.identityToken ? { identityToken: credentials.identityToken } : {}
			})).toString("base64");
			this.write(auths);
		}
		async erase(registry) {
			const auths = this.read();
			if (!(registry in auths)) return false;
			delete auths[registry];
			this.write(auths);
			return true;
		}
	};
}));
// src/main/engine/registry/index.ts
var init_registry$1 = __esmMin((() => {
	init_pull();
	init_push();
	init_login();
	init_credentials();
	init_credential_helper();
	init_sealed_credentials();
	init_errors();
	init_platform();
	init_settings();
}));
// src/main/host/logins.ts
/**
* Registry logins for the desktop app and the browser host: `docker login` against the registry,
* then the secret goes to the host's credential store (Electron safeStorage, or docker's
* config.json). The renderer only ever sees registry hosts and usernames; the password crosses
* IPC once, on login, and appears in no result, log line or error message.
*/
/** Registry hosts with an entry in the store's file (docker's Hub key read back as `docker.io`). */
function storedRegistries(store) {
	if (!(store instanceof DockerConfigCredentialStore) && !(store instanceof SealedCredentialStore)) return [];
	if (!existsSync(store.file)) return [];
	let auths = {};
	try {
		auths = JSON.parse(readFileSync(store.file, "utf8")).auths ?? {};
	} catch {}
	const hosts = Object.keys(auths).map((key) => store instanceof DockerConfigCredentialStore ? loginRegistry(key) : key);
	return [...new Set(hosts)].sort();
}
async function usernameFor(store, registry) {
	try {
		return (await store.get(registry))?.username || void 0;
	} catch {
		return;
	}
}
async function listLogins(setup) {
	const { store } = setup;
	const logins = [];
	for (const registry of storedRegistries(store)) {
		const username = await usernameFor(store, registry);
		if (username !== void 0) logins.push({
			registry,
			username
		});
	}
	const file = store instanceof DockerConfigCredentialStore || store instanceof SealedCredentialStore ? store.file : "";
	const unavailable = setup.unavailable?.();
	const helper = store instanceof DockerConfigCredentialStore ? store.credsStore : void 0;
	return {
		storage: store.plaintextLocation === void 0 ? "sealed" : helper ? "credential-helper" : "docker-config",
		...helper ? { helper } : {},
		location: file,
		logins,
		...unavailable ? { unavailable } : {}
	};
}
/** Replaces the secret wherever it might have slipped into a message. */
function scrub(err, secret) {
	const e = err instanceof Error ? err : new Error(String(err));
	if (secret === "" || !e.message.includes(secret)) return e;
	return new StrataError(errorCode(e), e.message.replaceAll(secret, "********"));
}
/** Checks the credentials with the registry (docker login's ping) and stores them. */
async function loginToRegistry(engine, setup, params) {
	const registry = loginRegistry(params.registry.trim());
	const reason = setup.unavailable?.();
	if (reason) throw new StrataError("unsupported", reason);
	const credentials = {
		username: params.username,
		password: params.password
	};
	try {
		await login(engine, registry, credentials, { credentials: setup.store });
	} catch (err) {
		throw scrub(err, params.password);
	}
	return { registry };
}
async function logoutFromRegistry(engine, setup, registry) {
	const host = loginRegistry(registry.trim());
	return {
		registry: host,
		removed: await logout(engine, host, setup.store)
	};
}
var init_logins = __esmMin((() => {
	init_registry$1();
	init_errors$2();
}));
// src/main/host/handlers.ts
var handlers_exports = /* @__PURE__ */ __exportAll({
	createHandlers: () => createHandlers,
	features: () => features
});
function unsupported(what) {
	throw new StrataError("unsupported", `${what} is not available in this version of the engine`);
}
/** What this host can do here: containers need the sandbox (probed once per process, then cached). */
function features(options) {
	const sandbox = sandboxUnavailable();
	return {
		load: true,
		save: true,
		import: true,
		build: true,
		containers: sandbox === void 0,
		terminal: sandbox === void 0,
		...sandbox ? { containersUnavailable: sandbox } : {},
		pull: true,
		push: true,
		nativeDialogs: options.dialogs !== void 0
	};
}
function createHandlers(engine, options) {
	const resolve = (ref) => engine.images.resolve(ref);
	const dbFile = join(engine.root, "strata.db");
	const freeingSpace = async (fn) => {
		releaseSpaceReserve(dbFile);
		try {
			return await fn();
		} finally {
			ensureSpaceReserve(dbFile);
		}
	};
	const dialogs = options.dialogs;
	const credentials = {
		store: options.credentials ?? new DockerConfigCredentialStore(),
		...options.credentialsUnavailable ? { unavailable: options.credentialsUnavailable } : {}
	};
	return {
		requests: {
			"app.info": () => ({
				host: options.host,
				root: engine.root,
				version: options.version ?? "0.1.0",
				platform: process.platform,
				features: features(options)
			}),
			"images.list": () => listImages(engine),
			"images.inspect": ({ ref }) => ({
				...imageDetail(engine, resolve(ref)),
				inspect: inspectImage(engine, ref)
			}),
			"images.history": ({ ref }) => imageHistory(engine, ref),
			"images.layers": ({ ref }) => imageLayers(engine, resolve(ref)),
			"images.layerTree": ({ ref, position }) => layerTree(engine, resolve(ref), position),
			"images.tag": ({ source, target }) => {
				engine.images.tag(source, target);
				return null;
			},
			"images.remove": ({ refs, force }) => freeingSpace(async () => {
				const items = refs.flatMap((r) => removeImage(engine, r, { force }));
				await engine.gc.collect();
				return items;
			}),
			"images.prunePreview": ({ all }) => prunePreview(engine, all),
			"images.prune": ({ all }) => freeingSpace(() => pruneImages(engine, { all })),
			"system.df": () => {
				const { summary, ...usage } = diskUsage(engine);
				return {
					usage,
					rows: summary,
					imagesTotal: listImages$1(engine).reduce((n, i) => n + i.size, 0)
				};
			},
			"system.layers": () => sharedLayers(engine),
			"system.prunePreview": () => pruneActions(engine),
			"system.prune": ({ action }) => runPruneAction(engine, action),
			"build.context": ({ path, dockerfile }) => inspectContext(path, dockerfile),
			"build.writeDockerfile": ({ path, dockerfile, text }) => {
				writeDockerfile(path, dockerfile, text);
				return null;
			},
			"build.history": ({ path, dockerfile }) => buildHistory(engine, path, dockerfile),
			"containers.list": ({ all }) => listContainers(engine, all),
			"containers.create": (p) => createContainer(engine, p),
			"containers.remove": ({ id, force }) => freeingSpace(async () => {
				await engine.containers.remove(id, { force });
				return null;
			}),
			"containers.stop": async ({ id }) => {
				await engine.containers.stop(id);
				return null;
			},
			"containers.start": async ({ id }) => {
				await startContainer(engine, id);
				return null;
			},
			"containers.restart": async ({ id }) => {
				await restartContainer(engine, id);
				return null;
			},
			"containers.inspect": ({ id }) => inspectContainer$1(engine, id),
			"containers.files": ({ id, dir }) => listFiles(engine, id, dir),
			"containers.readFile": ({ id, path }) => readFile(engine, id, path),
			"containers.writeFile": async ({ id, path, text }) => {
				await writeFile$1(engine, id, path, text);
				return null;
			},
			"containers.diff": ({ id }) => diff$1(engine, id),
			"containers.commit": (p) => commit$1(engine, p),
			"images.env": ({ ref }) => {
				const d = imageDetail(engine, resolve(ref));
				return {
					env: d.env,
					cmd: d.cmd,
					entrypoint: d.entrypoint
				};
			},
			"registry.logins": () => listLogins(credentials),
			"registry.login": (params) => loginToRegistry(engine, credentials, params),
			"registry.logout": ({ registry }) => logoutFromRegistry(engine, credentials, registry),
			"dialog.openFolder": ({ title }) => dialogs ? dialogs.openFolder(title) : unsupported("a native folder picker"),
			"dialog.openFile": ({ title }) => dialogs ? dialogs.openFile(title) : unsupported("a native file picker"),
			"dialog.saveFile": ({ title, defaultName }) => dialogs ? dialogs.saveFile(title, defaultName) : unsupported("a native save dialog")
		},
		streams: {
			"images.load": async ({ path }, ctx) => {
				return { loaded: (await loadImages(engine, { path }, {
					onProgress: (e) => ctx.emit(e),
					signal: ctx.signal
				})).images.map((i) => i.repoTags.length > 0 ? i.repoTags.join(", ") : i.id) };
			},
			"images.save": async ({ refs, path }, ctx) => {
				const selection = selectImages(engine, refs);
				const tmp = `${path}.strata-${process.pid}.tmp`;
				try {
					await saveImages(engine, selection, createWriteStream(tmp), {
						onProgress: (e) => ctx.emit(e),
						signal: ctx.signal
					});
					renameSync(tmp, path);
				} finally {
					rmSync(tmp, { force: true });
				}
				return null;
			},
			"images.import": async ({ path, ref }, ctx) => {
				ctx.emit({
					id: "",
					status: "Importing"
				});
				return { id: (await importImage(engine, { path }, ref ? { reference: ref } : {})).id };
			},
			"images.pull": async ({ ref }, ctx) => {
				return { id: (await pull(engine, ref, {
					onProgress: (e) => ctx.emit(e),
					signal: ctx.signal,
					credentials: credentials.store
				})).image.id };
			},
			"images.push": async ({ ref }, ctx) => {
				await push(engine, ref, {
					onProgress: (e) => ctx.emit(e),
					signal: ctx.signal,
					credentials: credentials.store
				});
				return null;
			},
			"build.run": (params, ctx) => runBuild(engine, params, ctx),
			"containers.terminal": (p, ctx) => terminal(engine, p, ctx),
			"containers.logs": (p, ctx) => logs$1(engine, p, ctx)
		},
		onChange: (l) => engine.bus.on(l)
	};
}
var init_handlers = __esmMin((() => {
	init_db();
	init_load();
	init_save();
	init_import();
	init_history();
	init_inspect();
	init_prune();
	init_disk_usage();
	init_list();
	init_image_views();
	init_layers();
	init_prune_preview();
	init_build_context();
	init_build_host();
	init_pull();
	init_push();
	init_containers_host();
	init_credentials();
	init_logins();
	init_errors$2();
	init_sandbox();
}));
// src/shared/validate.ts
function str(options = {}) {
	return (v, at) => {
		if (typeof v !== "string") throw new ValidationError(`${at}: expected a string`);
		if (v.length > (options.max ?? MAX_STRING)) throw new ValidationError(`${at}: too long`);
		if (options.nonEmpty && v.trim() === "") throw new ValidationError(`${at}: must not be empty`);
		if (v.includes("\0")) throw new ValidationError(`${at}: contains a NUL byte`);
		return v;
	};
}
/** Text bodies (Dockerfiles, edited files, terminal input) may be large and hold any character. */
function text() {
	return (v, at) => {
		if (typeof v !== "string") throw new ValidationError(`${at}: expected a string`);
		if (v.length > 16 * MAX_STRING) throw new ValidationError(`${at}: too long`);
		return v;
	};
}
/** One of a fixed set of strings. */
function oneOf(values) {
	return (v, at) => {
		if (typeof v !== "string" || !values.includes(v)) throw new ValidationError(`${at}: expected one of ${values.join(", ")}`);
		return v;
	};
}
function bool() {
	return (v, at) => {
		if (typeof v !== "boolean") throw new ValidationError(`${at}: expected true or false`);
		return v;
	};
}
function int(options = {}) {
	return (v, at) => {
		if (typeof v !== "number" || !Number.isInteger(v)) throw new ValidationError(`${at}: expected an integer`);
		if (options.min !== void 0 && v < options.min) throw new ValidationError(`${at}: must be at least ${options.min}`);
		if (options.max !== void 0 && v > options.max) throw new ValidationError(`${at}: must be at most ${options.max}`);
		return v;
	};
}
function list(item, max = 1e4) {
	return (v, at) => {
		if (!Array.isArray(v)) throw new ValidationError(`${at}: expected a list`);
		if (v.length > max) throw new ValidationError(`${at}: too many items`);
		return v.map((x, i) => item(x, `${at}[${i}]`));
	};
}
function record(value) {
	return (v, at) => {
		if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ValidationError(`${at}: expected an object`);
		const out = {};
		for (const [k, x] of Object.entries(v)) out[str({
			max: 4096,
			nonEmpty: true
		})(k, `${at} key`)] = value(x, `${at}.${k}`);
		return out;
	};
}
/** An object with exactly these keys (unknown keys are refused; `optional` ones may be absent). */
function obj(shape, optional = []) {
	return (v, at) => {
		if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ValidationError(`${at}: expected an object`);
		const input = v;
		for (const k of Object.keys(input)) if (!(k in shape)) throw new ValidationError(`${at}: unknown field "${k}"`);
		const out = {};
		for (const [k, check] of Object.entries(shape)) {
			if (input[k] === void 0 && optional.includes(k)) continue;
			if (input[k] === void 0) throw new ValidationError(`${at}: missing field "${k}"`);
			out[k] = check(input[k], `${at}.${k}`);
		}
		return out;
	};
}
function validateRequest(name, params) {
	if (!Object.hasOwn(requestValidators, name)) throw new ValidationError(`unknown request "${String(name).slice(0, 100)}"`);
	const check = requestValidators[name];
	return {
		name,
		params: check(params ?? {}, name)
	};
}
function validateStream(name, params) {
	if (!Object.hasOwn(streamValidators, name)) throw new ValidationError(`unknown stream "${String(name).slice(0, 100)}"`);
	const check = streamValidators[name];
	return {
		name,
		params: check(params ?? {}, name)
	};
}
function validateStreamId(v) {
	return str({
		max: 100,
		nonEmpty: true
	})(v, "stream id");
}
var ValidationError, MAX_STRING, PRUNE_ACTIONS, empty, ref, path, id, registryHost, secret, requestValidators, streamValidators;
var init_validate = __esmMin((() => {
	init_errors$2();
	ValidationError = class extends StrataError {
		constructor(message) {
			super("invalid", message);
		}
	};
	MAX_STRING = 1 << 20;
	PRUNE_ACTIONS = [
		"dangling-images",
		"unused-images",
		"stopped-containers",
		"build-cache"
	];
	empty = obj({});
	ref = str({
		max: 512,
		nonEmpty: true
	});
	path = str({
		max: 4096,
		nonEmpty: true
	});
	id = str({
		max: 256,
		nonEmpty: true
	});
	registryHost = str({
		max: 512,
		nonEmpty: true
	});
	secret = str({
		max: 16384,
		nonEmpty: true
	});
	requestValidators = {
		"app.info": empty,
		"images.list": empty,
		"images.inspect": obj({ ref }),
		"images.history": obj({ ref }),
		"images.layers": obj({ ref }),
		"images.layerTree": obj({
			ref,
			position: int({
				min: 0,
				max: 1e4
			})
		}),
		"images.tag": obj({
			source: ref,
			target: ref
		}),
		"images.remove": obj({
			refs: list(ref, 1e4),
			force: bool()
		}),
		"images.prunePreview": obj({ all: bool() }),
		"images.prune": obj({ all: bool() }),
		"system.df": empty,
		"system.layers": empty,
		"system.prunePreview": empty,
		"system.prune": obj({ action: oneOf(PRUNE_ACTIONS) }),
		"build.context": obj({
			path,
			dockerfile: str({ max: 4096 })
		}, ["dockerfile"]),
		"build.writeDockerfile": obj({
			path,
			dockerfile: path,
			text: text()
		}),
		"build.history": obj({
			path,
			dockerfile: str({ max: 4096 })
		}),
		"containers.list": obj({ all: bool() }),
		"containers.create": obj({
			image: ref,
			name: str({ max: 256 }),
			command: list(str({ max: 65536 }), 1e3),
			env: list(str({ max: 65536 }), 1e3)
		}),
		"images.env": obj({ ref }),
		"containers.remove": obj({
			id,
			force: bool()
		}),
		"containers.stop": obj({ id }),
		"containers.start": obj({ id }),
		"containers.restart": obj({ id }),
		"containers.inspect": obj({ id }),
		"containers.files": obj({
			id,
			dir: str({ max: 4096 })
		}),
		"containers.readFile": obj({
			id,
			path
		}),
		"containers.writeFile": obj({
			id,
			path,
			text: text()
		}),
		"containers.diff": obj({ id }),
		"containers.commit": obj({
			id,
			repository: str({ max: 512 }),
			message: str({ max: 4096 }),
			author: str({ max: 512 }),
			changes: list(str({ max: 4096 }), 100)
		}),
		"registry.logins": empty,
		"registry.login": obj({
			registry: registryHost,
			username: str({
				max: 256,
				nonEmpty: true
			}),
			password: secret
		}),
		"registry.logout": obj({ registry: registryHost }),
		"dialog.openFolder": obj({ title: str({ max: 200 }) }),
		"dialog.openFile": obj({ title: str({ max: 200 }) }),
		"dialog.saveFile": obj({
			title: str({ max: 200 }),
			defaultName: str({ max: 255 })
		})
	};
	streamValidators = {
		"images.load": obj({ path }),
		"images.save": obj({
			refs: list(ref, 1e3),
			path
		}),
		"images.import": obj({
			path,
			ref: str({ max: 512 })
		}),
		"images.pull": obj({ ref }),
		"images.push": obj({ ref }),
		"build.run": obj({
			path,
			dockerfile: str({ max: 4096 }),
			tags: list(ref, 50),
			buildArgs: record(str({ max: 65536 })),
			target: str({ max: 256 }),
			noCache: bool()
		}),
		"containers.terminal": obj({
			id,
			cols: int({
				min: 1,
				max: 1e3
			}),
			rows: int({
				min: 1,
				max: 1e3
			})
		}),
		"containers.logs": obj({
			id,
			follow: bool()
		}, ["follow"])
	};
}));
// src/main/host/session.ts
/** What crosses to the renderer: the code the engine gave, its details, one line of message. */
function errorInfo(err) {
	return toErrorData(explainDiskFull(err, "the store"));
}
var HostSession;
var init_session = __esmMin((() => {
	init_validate();
	init_errors$2();
	init_db();
	HostSession = class {
		handlers;
		push;
		streams = /* @__PURE__ */ new Map();
		unsubscribe;
		constructor(handlers, push) {
			this.handlers = handlers;
			this.push = (msg) => {
				try {
					push(msg);
				} catch {}
			};
			this.unsubscribe = handlers.onChange((event) => this.push({
				type: "change",
				event
			}));
		}
		async invoke(name, params) {
			try {
				const req = validateRequest(String(name), params);
				const fn = this.handlers.requests[req.name];
				return {
					ok: true,
					value: await fn(req.params) ?? null
				};
			} catch (err) {
				return {
					ok: false,
					error: errorInfo(err)
				};
			}
		}
		async stream(id, name, params) {
			let streamId;
			try {
				streamId = validateStreamId(id);
				if (this.streams.has(streamId)) throw new ValidationError(`stream ${streamId} is already open`);
			} catch (err) {
				return {
					ok: false,
					error: errorInfo(err)
				};
			}
			const live = { abort: new AbortController() };
			this.streams.set(streamId, live);
			try {
				const req = validateStream(String(name), params);
				const fn = this.handlers.streams[req.name];
				const value = await fn(req.params, {
					signal: live.abort.signal,
					emit: (event) => this.push({
						type: "stream-event",
						id: streamId,
						event
					}),
					onInput: (listener) => {
						live.input = listener;
					}
				});
				if (live.abort.signal.aborted) return {
					ok: false,
					error: {
						message: "canceled",
						code: "canceled"
					}
				};
				return {
					ok: true,
					value: value ?? null
				};
			} catch (err) {
				if (live.abort.signal.aborted) return {
					ok: false,
					error: {
						message: "canceled",
						code: "canceled"
					}
				};
				return {
					ok: false,
					error: errorInfo(err)
				};
			} finally {
				this.streams.delete(streamId);
			}
		}
		cancel(id) {
			if (typeof id === "string") this.streams.get(id)?.abort.abort(new StrataError("canceled", "canceled"));
		}
		input(id, data) {
			if (typeof id === "string" && typeof data === "string" && data.length <= 1 << 20) this.streams.get(id)?.input?.(data);
		}
		/** The window or tab went away: stop its work. */
		dispose() {
			this.unsubscribe();
			for (const s of this.streams.values()) s.abort.abort(new StrataError("canceled", "canceled"));
			this.streams.clear();
		}
	};
}));
// src/main/host/server.ts
/**
* The browser host: serves the built renderer and bridges the contract over a WebSocket to the
* same handlers Electron uses. Listens on 127.0.0.1 only, and answers only requests addressed to
* it by name (Host `127.0.0.1:PORT` or `localhost:PORT`: a DNS-rebound name is refused).
*
* Access: the URL printed by `strata ui` carries the instance's token. The first visit trades it
* for a session cookie (HttpOnly, SameSite=Strict, named after the port) and hands the token on
* to the page in the URL's fragment, which never leaves the browser; the page keeps it in its
* own origin's sessionStorage. Cookies ignore ports, so every other service on 127.0.0.1 is sent
* the cookie: it only serves the (public) renderer files. The WebSocket, which reaches the engine,
* needs the cookie, the token in its URL and this host's Origin.
*/
var server_exports$1 = /* @__PURE__ */ __exportAll({
	defaultRendererDir: () => defaultRendererDir,
	startBrowserHost: () => startBrowserHost
});
function defaultRendererDir() {
	return resolve(fileURLToPath(new URL("../../../out/renderer", import.meta.url)));
}
function sameToken(a, b) {
	if (!a || a.length !== b.length) return false;
	return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
function cookieValue(req, name) {
	for (const part of (req.headers.cookie ?? "").split(";")) {
		const [k, v] = part.trim().split("=");
		if (k === name) return v;
	}
}
function securityHeaders(res) {
	res.setHeader("X-Content-Type-Options", "nosniff");
	res.setHeader("X-Frame-Options", "DENY");
	res.setHeader("Referrer-Policy", "no-referrer");
	res.setHeader("Cache-Control", "no-store");
}
function serveStatic(dir, urlPath, res) {
	const rel = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, "");
	let file = resolve(dir, rel || "index.html");
	if (file !== dir && !file.startsWith(dir + sep)) {
		res.writeHead(403).end("forbidden");
		return;
	}
	if (!existsSync(file) || statSync(file).isDirectory()) file = join(dir, "index.html");
	if (!existsSync(file)) {
		res.writeHead(500, { "Content-Type": "text/plain" }).end("The renderer is not built: run `npx electron-vite build` first.\n");
		return;
	}
	res.writeHead(200, { "Content-Type": MIME[extname(file)] ?? "application/octet-stream" });
	createReadStream(file).on("error", () => res.destroy()).pipe(res);
}
async function startBrowserHost(handlers, options = {}) {
	const token = options.token ?? randomBytes(24).toString("hex");
	const session = randomBytes(24).toString("hex");
	const dir = resolve(options.rendererDir ?? defaultRendererDir());
	let port = options.port ?? 0;
	const cookie = () => `${COOKIE_PREFIX}${port}`;
	const ownHost = (req) => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
	const ownOrigin = (req) => req.headers.origin === `http://127.0.0.1:${port}` || req.headers.origin === `http://localhost:${port}`;
	const serve = (req, res) => {
		securityHeaders(res);
		if (!ownHost(req)) {
			res.writeHead(421, { "Content-Type": "text/plain" }).end("misdirected request: this server answers to 127.0.0.1 and localhost only\n");
			return;
		}
		const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
		const given = url.searchParams.get("token") ?? void 0;
		if (given !== void 0) {
			if (!sameToken(given, token)) {
				res.writeHead(401, { "Content-Type": "text/plain" }).end("invalid token\n");
				return;
			}
			res.writeHead(303, {
				"Set-Cookie": `${cookie()}=${session}; HttpOnly; SameSite=Strict; Path=/`,
				Location: `${url.pathname}#token=${token}`
			});
			res.end();
			return;
		}
		if (!sameToken(cookieValue(req, cookie()), session)) {
			res.writeHead(401, { "Content-Type": "text/plain" }).end("Open the URL printed by `strata ui` (it carries the access token).\n");
			return;
		}
		if (req.method !== "GET" && req.method !== "HEAD") {
			res.writeHead(405).end();
			return;
		}
		serveStatic(dir, url.pathname, res);
	};
	const server = createServer((req, res) => {
		try {
			serve(req, res);
		} catch {
			if (!res.headersSent) res.writeHead(400, { "Content-Type": "text/plain" }).end("bad request\n");
			else res.destroy();
		}
	});
	const wss = new WebSocketServer({
		noServer: true,
		maxPayload: 32 << 20
	});
	wss.on("error", () => {});
	server.on("upgrade", (req, socket, head) => {
		socket.on("error", () => socket.destroy());
		const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
		if (!(url.pathname === "/ws" && ownHost(req) && ownOrigin(req) && sameToken(cookieValue(req, cookie()), session) && sameToken(url.searchParams.get("token") ?? void 0, token))) {
			socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
			return;
		}
		wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, handlers));
	});
	await new Promise((resolveListen, reject) => {
		server.once("error", reject);
		server.listen(port, "127.0.0.1", () => resolveListen());
	});
	const address = server.address();
	port = typeof address === "object" && address ? address.port : port;
	return {
		url: `http://127.0.0.1:${port}/?token=${token}`,
		port,
		token,
		close: () => new Promise((done) => {
			for (const c of wss.clients) c.terminate();
			wss.close();
			server.closeAllConnections();
			server.close(() => done());
		})
	};
}
/** One tab: the WebSocket's messages go to a HostSession; pushes and replies come back. */
function bridge(ws, handlers) {
	const send = (reply) => {
		if (ws.readyState !== ws.OPEN) return;
		let text;
		try {
			text = JSON.stringify(reply);
		} catch (err) {
			if (reply.t !== "reply") return;
			text = JSON.stringify({
				t: "reply",
				seq: reply.seq,
				envelope: {
					ok: false,
					error: errorInfo(err)
				}
			});
		}
		ws.send(text, () => {});
	};
	const session = new HostSession(handlers, (msg) => send({
		t: "push",
		msg
	}));
	const replyTo = (seq) => (envelope) => send({
		t: "reply",
		seq,
		envelope
	});
	const failed = (seq) => (err) => send({
		t: "reply",
		seq,
		envelope: {
			ok: false,
			error: errorInfo(err)
		}
	});
	ws.on("error", () => ws.terminate());
	ws.on("message", (raw) => {
		let msg;
		try {
			msg = JSON.parse(String(raw));
		} catch {
			return;
		}
		if (typeof msg !== "object" || msg === null) return;
		try {
			if (msg.t === "invoke" && typeof msg.seq === "number") session.invoke(msg.name, msg.params).then(replyTo(msg.seq), failed(msg.seq));
			else if (msg.t === "stream" && typeof msg.seq === "number") session.stream(msg.id, msg.name, msg.params).then(replyTo(msg.seq), failed(msg.seq));
			else if (msg.t === "cancel") session.cancel(msg.id);
			else if (msg.t === "input") session.input(msg.id, msg.data);
		} catch (err) {
			if ("seq" in msg && typeof msg.seq === "number") failed(msg.seq)(err);
		}
	});
	ws.on("close", () => session.dispose());
}
var COOKIE_PREFIX, MIME;
var init_server$1 = __esmMin((() => {
	init_session();
	COOKIE_PREFIX = "strata_session_";
	MIME = {
		".html": "text/html; charset=utf-8",
		".js": "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8",
		".svg": "image/svg+xml",
		".png": "image/png",
		".woff2": "font/woff2",
		".json": "application/json",
		".ico": "image/x-icon"
	};
}));
// src/main/host/last-resort.ts
var last_resort_exports = /* @__PURE__ */ __exportAll({
	keepServing: () => keepServing,
	setLastResort: () => setLastResort
});
function setLastResort(next) {
	if (!policy) {
		process.on("uncaughtException", (err) => policy(err, "uncaughtException"));
		process.on("unhandledRejection", (reason) => policy(reason, "unhandledRejection"));
	}
	policy = next;
}
/** The hosts' policy: one line (the stack with STRATA_DEBUG) on stderr, and go on serving. */
function keepServing(who, log = (line) => process.stderr.write(`${line}\n`)) {
	setLastResort((err) => {
		log(`${who}: unexpected error, still serving: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
		if (process.env.STRATA_DEBUG && err instanceof Error && err.stack) log(err.stack);
	});
}
var policy;
var init_last_resort = __esmMin((() => {}));
// src/main/cli/commands/ui.ts
init_errors$2();
/** The platform's "open this URL in the default browser" command, or undefined with no display to show one. */
function browserOpener(url, env = process.env, platform = process.platform) {
	if (platform === "darwin") return ["open", url];
	if (platform === "win32") return [
		"cmd",
		"/c",
		"start",
		"\"\"",
		url
	];
	return env.DISPLAY || env.WAYLAND_DISPLAY ? ["xdg-open", url] : void 0;
}
/** Opens the URL in the default browser, detached; a missing opener is not an error (the URL is printed). */
function openInBrowser(argv) {
	const child = spawn(argv[0], argv.slice(1), {
		detached: true,
		stdio: "ignore"
	});
	child.on("error", () => {});
	child.unref();
}
/**
* `strata ui`: the desktop app's views in a browser, for headless boxes and the end-to-end tests.
* Serves the built renderer on 127.0.0.1 and prints the URL with its access token.
*/
const uiCommand = {
	path: ["ui"],
	usage: "strata ui [--port N] [--root DIR] [--no-open]",
	description: "Serve the Strata UI to a local browser (127.0.0.1 only)",
	flags: [
		{
			name: "port",
			type: "string",
			value: "N",
			description: "Port to listen on (default: a free port)"
		},
		{
			name: "root",
			type: "string",
			value: "DIR",
			description: "Store directory (same as the global --root)"
		},
		{
			name: "renderer",
			type: "string",
			value: "DIR",
			description: "Built renderer to serve (default: out/renderer)"
		},
		{
			name: "no-open",
			type: "bool",
			description: "Do not open the default browser (it is not opened without a display either)"
		}
	],
	maxArgs: 0,
	async run(ctx) {
		const portFlag = flagString(ctx, "port");
		const port = portFlag === void 0 ? 0 : Number(portFlag);
		if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StrataError("invalid", `invalid port: ${portFlag}`);
		const rootFlag = flagString(ctx, "root");
		const engine = rootFlag ? Engine.open({ root: rootFlag }) : ctx.engine();
		const renderer = flagString(ctx, "renderer");
		const [{ createHandlers }, { startBrowserHost }, { keepServing }] = await Promise.all([
			Promise.resolve().then(() => (init_handlers(), handlers_exports)),
			Promise.resolve().then(() => (init_server$1(), server_exports$1)),
			Promise.resolve().then(() => (init_last_resort(), last_resort_exports))
		]);
		keepServing("strata ui");
		const host = await startBrowserHost(createHandlers(engine, { host: "browser" }), {
			port,
			...renderer ? { rendererDir: renderer } : {}
		});
		ctx.stdout.write(`Strata UI for ${engine.root}\nOpen ${host.url}\n`);
		const opener = flagBool(ctx, "no-open") ? void 0 : browserOpener(host.url);
		if (opener) openInBrowser(opener);
		await new Promise((done) => {
			if (ctx.signal.aborted) done();
			ctx.signal.addEventListener("abort", () => done(), { once: true });
		});
		await host.close();
		for (const c of engine.containers.list()) if (engine.containers.attach(c.id)) await engine.containers.kill(c.id);
		if (rootFlag) engine.close();
	}
};
// src/main/cli/tabwriter.ts
function tabwrite(text, options = DOCKER_TABWRITER) {
	const endsWithNewline = text.endsWith("\n");
	const rawLines = (endsWithNewline ? text.slice(0, -1) : text).split("\n");
	let out = "";
	let block = [];
	const flush = () => {
		if (block.length > 0) out += formatBlock(block, options);
		block = [];
	};
	rawLines.forEach((raw, i) => {
		const cells = raw.split("	");
		const isLast = i === rawLines.length - 1;
		block.push(cells);
		if (!isLast || endsWithNewline) block.push([]);
		if (cells.length === 1) flush();
	});
	flush();
	return out;
}
/** Formats lines (each followed by a `[]` newline marker) of one block. */
function formatBlock(items, options) {
	const lines = [];
	const newline = [];
	for (const item of items) if (item.length === 0) newline[lines.length - 1] = true;
	else lines.push(item);
	let out = "";
	const widths = [];
	const writeLines = (from, to) => {
		for (let i = from; i < to; i++) {
			const line = lines[i];
			line.forEach((cell, j) => {
				out += cell;
				if (j < widths.length && j < line.length - 1) out += " ".repeat(Math.max(0, widths[j] - runeCount(cell)));
			});
			if (newline[i]) out += "\n";
		}
	};
	const format = (line0, line1) => {
		const column = widths.length;
		let start = line0;
		for (let t = line0; t < line1; t++) {
			if (column >= lines[t].length - 1) continue;
			writeLines(start, t);
			start = t;
			let width = options.minWidth;
			for (; t < line1; t++) {
				const line = lines[t];
				if (column >= line.length - 1) break;
				width = Math.max(width, runeCount(line[column]) + options.padding);
			}
			widths.push(width);
			format(start, t);
			widths.pop();
			start = t;
			t--;
		}
		writeLines(start, line1);
	};
	format(0, lines.length);
	return out;
}
function runeCount(s) {
	let n = 0;
	for (const _ of s) n++;
	return n;
}
var DOCKER_TABWRITER;
var init_tabwriter = __esmMin((() => {
	DOCKER_TABWRITER = {
		minWidth: 10,
		padding: 3
	};
}));
// src/main/cli/template.ts
function parseTemplate(source) {
	const tokens = tokenize(source);
	let pos = 0;
	const parseList = (terminators) => {
		const nodes = [];
		while (pos < tokens.length) {
			const t = tokens[pos++];
			if (t.kind === "text") {
				nodes.push({
					kind: "text",
					text: t.text
				});
				continue;
			}
			const words = t.text.trim();
			const keyword = /^(if|else|end|range)\b/.exec(words)?.[1];
			if (keyword && terminators.includes(keyword)) return {
				nodes,
				end: keyword
			};
			if (keyword === "if" || keyword === "range") {
				const pipe = parsePipeline(words.slice(keyword.length));
				const body = parseList(["else", "end"]);
				let elseNodes = [];
				if (body.end === "else") elseNodes = parseList(["end"]).nodes;
				nodes.push(keyword === "if" ? {
					kind: "if",
					pipe,
					then: body.nodes,
					else: elseNodes
				} : {
					kind: "range",
					pipe,
					body: body.nodes,
					else: elseNodes
				});
				continue;
			}
			if (keyword) throw new TemplateError(`template: :1: unexpected {{${keyword}}}`);
			nodes.push({
				kind: "action",
				pipe: parsePipeline(words)
			});
		}
		if (terminators.length > 0) throw new TemplateError("template: :1: unexpected EOF");
		return {
			nodes,
			end: ""
		};
	};
	const root = parseList([]).nodes;
	checkFunctions(root);
	return { execute(data, functions = FUNCTIONS) {
		return run(root, data, functions);
	} };
}
function checkFunctions(nodes) {
	const check = (pipe) => {
		for (const cmd of pipe) {
			const head = cmd[0];
			if (head?.kind === "ident" && !(head.name in FUNCTIONS)) throw new TemplateError(`template parsing error: template: :1: function "${head.name}" not defined`);
		}
	};
	for (const n of nodes) {
		if (n.kind === "action") check(n.pipe);
		if (n.kind === "if") {
			check(n.pipe);
			checkFunctions(n.then);
			checkFunctions(n.else);
		}
		if (n.kind === "range") {
			check(n.pipe);
			checkFunctions(n.body);
			checkFunctions(n.else);
		}
	}
}
function tokenize(source) {
	const out = [];
	let i = 0;
	let trimNextText = false;
	while (i < source.length) {
		const open = source.indexOf("{{", i);
		let text = open === -1 ? source.slice(i) : source.slice(i, open);
		if (trimNextText) text = text.replace(/^\s+/, "");
		if (open === -1) {
			if (text) out.push({
				kind: "text",
				text
			});
			break;
		}
		let start = open + 2;
		if (source.startsWith("- ", start) || source[start] === "-" && /\s/.test(source[start + 1] ?? "")) {
			text = text.replace(/\s+$/, "");
			start += 1;
		}
		if (text) out.push({
			kind: "text",
			text
		});
		const close = findClose(source, start);
		if (close === -1) throw new TemplateError("template: :1: unclosed action");
		let end = close;
		trimNextText = false;
		if (source[close - 1] === "-" && /\s/.test(source[close - 2] ?? "")) {
			end = close - 1;
			trimNextText = true;
		}
		out.push({
			kind: "action",
			text: source.slice(start, end)
		});
		i = close + 2;
	}
	return out;
}
function findClose(s, from) {
	let inString;
	for (let i = from; i < s.length; i++) {
		const c = s[i];
		if (inString) {
			if (c === "\\" && inString === "\"") i++;
			else if (c === inString) inString = void 0;
		} else if (c === "\"" || c === "`") inString = c;
		else if (c === "}" && s[i + 1] === "}") return i;
	}
	return -1;
}
function parsePipeline(text) {
	const words = splitWords(text);
	const cmds = [[]];
	for (const w of words) {
		if (w === "|") {
			cmds.push([]);
			continue;
		}
		cmds[cmds.length - 1].push(parseOperand(w));
	}
	if (cmds.some((c) => c.length === 0)) throw new TemplateError("template: :1: missing value for command");
	return cmds;
}
function splitWords(text) {
	const words = [];
	const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\||[^\s|]+)/gy;
	let m;
	while ((m = re.exec(text)) !== null) words.push(m[1]);
	return words;
}
function parseOperand(w) {
	if (w === ".") return { kind: "dot" };
	if (w.startsWith(".")) return {
		kind: "field",
		path: w.slice(1).split(".")
	};
	if (w.startsWith("\"")) return {
		kind: "string",
		value: JSON.parse(w)
	};
	if (w.startsWith("`")) return {
		kind: "string",
		value: w.slice(1, -1)
	};
	if (/^-?\d+(\.\d+)?$/.test(w)) return {
		kind: "number",
		value: Number(w)
	};
	if (w === "true" || w === "false") return {
		kind: "bool",
		value: w === "true"
	};
	if (w === "nil") throw new TemplateError("template: :1:2: executing \"\" at <nil>: nil is not a command");
	return {
		kind: "ident",
		name: w
	};
}
function run(nodes, dot, fns) {
	let out = "";
	for (const n of nodes) if (n.kind === "text") out += n.text;
	else if (n.kind === "action") out += printValue(evalPipe(n.pipe, dot, fns));
	else if (n.kind === "if") out += run(truthy(evalPipe(n.pipe, dot, fns)) ? n.then : n.else, dot, fns);
	else {
		const v = evalPipe(n.pipe, dot, fns);
		const items = Array.isArray(v) ? v : v && typeof v === "object" ? Object.values(v) : [];
		if (items.length === 0) out += run(n.else, dot, fns);
		for (const item of items) out += run(n.body, item, fns);
	}
	return out;
}
function evalPipe(pipe, dot, fns) {
	let prev = void 0;
	pipe.forEach((cmd, i) => {
		const args = cmd.slice(1).map((o) => evalOperand(o, dot, fns));
		if (i > 0) args.push(prev);
		const head = cmd[0];
		if (head.kind === "ident") {
			const fn = fns[head.name];
			if (!fn) throw new TemplateError(`template: :1: function "${head.name}" not defined`);
			prev = fn(...args);
		} else {
			if (args.length > 0) throw new TemplateError(`template: :1: can't give argument to non-function`);
			prev = evalOperand(head, dot, fns);
		}
	});
	return prev;
}
function evalOperand(o, dot, fns) {
	switch (o.kind) {
		case "dot": return dot;
		case "string":
		case "number":
		case "bool": return o.value;
		case "ident": {
			const fn = fns[o.name];
			if (!fn) throw new TemplateError(`template: :1: function "${o.name}" not defined`);
			return fn();
		}
		case "field": {
			let v = dot;
			for (const name of o.path) {
				if (v === null || v === void 0 || typeof v !== "object") throw new TemplateError(`template: :1: executing "" at <.${o.path.join(".")}>: can't evaluate field ${name}`);
				if (!(name in v)) {
					if (isPlainMap(v)) return NO_VALUE;
					throw new TemplateError(`template: :1: executing "" at <.${o.path.join(".")}>: can't evaluate field ${name}`);
				}
				v = v[name];
			}
			return v;
		}
	}
}
/** Marks an object as a Go map (a missing key prints `<no value>` instead of failing). */
function goMap(o) {
	MAPS.add(o);
	return o;
}
function isPlainMap(v) {
	return MAPS.has(v);
}
function truthy(v) {
	if (v === NO_VALUE || v === null || v === void 0 || v === false || v === 0 || v === "") return false;
	if (Array.isArray(v)) return v.length > 0;
	if (typeof v === "object") return Object.keys(v).length > 0;
	return true;
}
/** How Go's fmt prints a value with %v. */
function printValue(v) {
	if (v === NO_VALUE) return "<no value>";
	if (v === null || v === void 0) return "<nil>";
	if (typeof v === "string") return v;
	if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
	if (Array.isArray(v)) return `[${v.map((x) => printValue(x)).join(" ")}]`;
	if (typeof v === "object") return `map[${Object.keys(v).sort().map((k) => `${k}:${printValue(v[k])}`).join(" ")}]`;
	return String(v);
}
/** Go's json.Marshal: compact, with <, > and & escaped as \u003c, \u003e, \u0026. */
function goJson(v, indent) {
	return goEscape(JSON.stringify(v === NO_VALUE ? null : v, null, indent) ?? "null");
}
function templateJson(v) {
	if (v && typeof v === "object" && v[GO_MARSHALED]) return goJson(v);
	return (JSON.stringify(v === NO_VALUE ? null : v) ?? "null").replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
function goEscape(json) {
	return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
var TemplateError, FUNCTIONS, HEADER_FUNCTIONS, NO_VALUE, MAPS, GO_MARSHALED;
var init_template = __esmMin((() => {
	init_errors$2();
	TemplateError = class extends StrataError {
		constructor(message) {
			super("invalid", message);
		}
	};
	FUNCTIONS = {
		json: (v) => templateJson(v),
		join: (v, sep) => Array.isArray(v) ? v.map((x) => printValue(x)).join(String(sep)) : printValue(v),
		upper: (v) => String(v).toUpperCase(),
		lower: (v) => String(v).toLowerCase(),
		title: (v) => String(v).replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_m, a, b) => a + b.toUpperCase()),
		truncate: (v, n) => Array.from(String(v)).slice(0, Number(n)).join(""),
		split: (v, sep) => String(v).split(String(sep)),
		println: (...args) => `${args.map((a) => printValue(a)).join(" ")}\n`,
		index: (v, k) => v && typeof v === "object" ? v[String(k)] : void 0,
		len: (v) => Array.isArray(v) || typeof v === "string" ? v.length : v && typeof v === "object" ? Object.keys(v).length : 0
	};
	HEADER_FUNCTIONS = Object.fromEntries(Object.keys(FUNCTIONS).map((k) => [k, (v) => v]));
	NO_VALUE = Symbol("no value");
	MAPS = /* @__PURE__ */ new WeakSet();
	GO_MARSHALED = Symbol("go-marshaled");
}));
// src/main/cli/formatter.ts
function isTable(format) {
	return format.startsWith(TABLE_FORMAT);
}
/** docker's preFormat: strip `table`, expand `json`, trim, and turn `\t` / `\n` into real characters. */
function finalFormat(format) {
	let f = format;
	if (isTable(f)) f = f.slice(5);
	else if (f === "json") f = "{{json .}}";
	return f.replace(/^ +| +$/g, "").replaceAll("\\t", "	").replaceAll("\\n", "\n");
}
function compile(format) {
	try {
		return parseTemplate(finalFormat(format));
	} catch (err) {
		const msg = err.message;
		if (err instanceof TemplateError && !msg.startsWith("template parsing error")) throw new TemplateError(`template parsing error: ${msg}`);
		throw err;
	}
}
/**
* Renders rows: each row is the template then a newline; a table gets the header (the template run
* over the header names, functions passing their argument through) and is aligned like docker's.
*/
function renderRows(format, rows, header) {
	const tmpl = compile(format);
	let body = "";
	for (const row of rows) body += `${tmpl.execute(row)}\n`;
	if (!isTable(format)) return body;
	return tabwrite(`${tmpl.execute(goMap({ ...header }), HEADER_FUNCTIONS)}\n` + body);
}
/** A formatter row: keys in Go's json.Marshal(map) order (sorted), `{{json .}}` escaped as docker's contexts are. */
function sortedKeys(o) {
	const row = Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
	Object.defineProperty(row, GO_MARSHALED, {
		value: true,
		enumerable: false
	});
	return row;
}
var TABLE_FORMAT, QUIET_FORMAT;
var init_formatter = __esmMin((() => {
	init_tabwriter();
	init_template();
	TABLE_FORMAT = "table";
	QUIET_FORMAT = "{{.ID}}";
}));
// src/main/cli/image-format.ts
init_reference();
init_formatter();
init_units();
init_tabwriter();
const IMAGE_HEADER = {
	ID: "IMAGE ID",
	Repository: "REPOSITORY",
	Tag: "TAG",
	Digest: "DIGEST",
	CreatedSince: "CREATED",
	CreatedAt: "CREATED AT",
	Size: "SIZE",
	Containers: "CONTAINERS",
	VirtualSize: "SIZE",
	SharedSize: "SHARED SIZE",
	UniqueSize: "UNIQUE SIZE"
};
const DEFAULT_IMAGE_TABLE = "table {{.Repository}}	{{.Tag}}	{{.ID}}	{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}	{{.Size}}";
const DEFAULT_IMAGE_TABLE_DIGEST = "table {{.Repository}}	{{.Tag}}	{{.Digest}}	{{.ID}}	{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}	{{.Size}}";
/** docker/cli NewImageFormat. */
function newImageFormat(source, quiet, digest) {
	if (source === "table") return quiet ? QUIET_FORMAT : digest ? DEFAULT_IMAGE_TABLE_DIGEST : DEFAULT_IMAGE_TABLE;
	if (source === "raw") {
		if (quiet) return "image_id: {{.ID}}";
		return `repository: {{ .Repository }}\ntag: {{.Tag}}\n${digest ? "digest: {{.Digest}}\n" : ""}image_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n`;
	}
	if (isTable(source) && digest && !source.includes("{{.Digest}}")) return `${source}\t{{.Digest}}`;
	return source;
}
/** docker/cli isDangling: no tags and no digests. */
function isDangling(img) {
	if (img.repoTags.length === 0 && img.repoDigests.length === 0) return true;
	return img.repoTags.length === 1 && img.repoTags[0] === "<none>:<none>" && img.repoDigests.length === 1 && img.repoDigests[0] === "<none>@<none>";
}
/** The row fields of one image line (docker's imageContext methods). */
function imageRow(img, repo, tag, digest, trunc, now) {
	return sortedKeys({
		Containers: img.containers === -1 ? "N/A" : String(img.containers),
		CreatedAt: goTimeString(img.created),
		CreatedSince: createdSince(img.created, now),
		Digest: digest,
		ID: trunc ? truncateId(img.id) : img.id,
		Repository: repo,
		SharedSize: img.sharedSize === -1 ? "N/A" : humanSize4(img.sharedSize),
		Size: humanSize(img.size, 3),
		Tag: tag,
		UniqueSize: img.size === -1 || img.sharedSize === -1 ? "N/A" : humanSize4(img.size - img.sharedSize),
		VirtualSize: humanSize4(img.size)
	});
}
/** One row per repository:tag (docker's imageFormatTaggedAndDigest), `<none>` for dangling images. */
function imageRows(images, options) {
	const rows = [];
	for (const img of images) {
		if (isDangling(img)) {
			rows.push(imageRow(img, "<none>", "<none>", "<none>", options.trunc, options.now));
			continue;
		}
		const repoTags = /* @__PURE__ */ new Map();
		const repoDigests = /* @__PURE__ */ new Map();
		for (const t of img.repoTags) {
			const ref = tryParse(t);
			if (ref?.tag === void 0) continue;
			const name = familiarName(`${ref.domain}/${ref.path}`);
			repoTags.set(name, [...repoTags.get(name) ?? [], ref.tag]);
		}
		for (const d of img.repoDigests) {
			const ref = tryParse(d);
			if (ref?.digest === void 0) continue;
			const name = familiarName(`${ref.domain}/${ref.path}`);
			repoDigests.set(name, [...repoDigests.get(name) ?? [], ref.digest]);
		}
		for (const [repo, tags] of repoTags) {
			let digests = repoDigests.get(repo) ?? [];
			repoDigests.delete(repo);
			if (!(options.needDigest ?? options.digest)) digests = [];
			for (const tag of tags) {
				if (digests.length === 0) rows.push(imageRow(img, repo, tag, "<none>", options.trunc, options.now));
				for (const d of digests) rows.push(imageRow(img, repo, tag, d, options.trunc, options.now));
			}
		}
		for (const [repo, digests] of repoDigests) if (options.digest) for (const d of digests) rows.push(imageRow(img, repo, "<none>", d, options.trunc, options.now));
		else rows.push(imageRow(img, repo, "<none>", "", options.trunc, options.now));
	}
	return rows;
}
function tryParse(s) {
	try {
		return parseReference(s, { defaultTag: false });
	} catch {
		return;
	}
}
/** `images` with a format (docker's ImageWrite). */
function formatImageList(images, options) {
	const format = newImageFormat(options.format || "table", options.quiet ?? false, options.digests ?? false);
	const needDigest = (options.digests ?? false) || format.includes("{{.Digest}}");
	return renderRows(format, imageRows(images, {
		trunc: !options.noTrunc,
		digest: options.digests ?? false,
		needDigest,
		now: options.now
	}), IMAGE_HEADER);
}
/** The message `images ls` prints to stderr when a subcommand name was probably meant. */
function ambiguousHint(matchName, program = "docker") {
	return [
		"build",
		"history",
		"import",
		"inspect",
		"list",
		"load",
		"ls",
		"prune",
		"pull",
		"push",
		"rm",
		"save",
		"tag"
	].includes(matchName) ? `No images found matching "${matchName}": did you mean "${program} image ${matchName}"?\n` : "";
}
const COLUMN_SPACING = 3;
/**
* docker 29's default `image ls` view (IMAGE / ID / DISK USAGE / CONTENT SIZE / EXTRA), without colour
* (output not a terminal). Untagged images show only with `all` or a `dangling=true` filter.
*/
function formatImageTree(images, options = {}) {
	const shown = images.filter((img) => img.repoTags.length > 0 || options.all || options.danglingTrue).map((img, i) => ({
		img,
		i
	})).sort((a, b) => b.img.created - a.img.created || a.i - b.i).map((x) => x.img);
	const columns = [
		{
			title: "Image",
			width: 0,
			align: "left"
		},
		{
			title: "ID",
			width: 12,
			align: "left",
			value: (d) => truncateId(d.id)
		},
		{
			title: "Disk usage",
			width: 10,
			align: "right",
			value: (d) => d.diskUsage
		},
		{
			title: "Content size",
			width: 12,
			align: "right",
			value: (d) => d.contentSize
		},
		{
			title: "Extra",
			width: 5,
			align: "left",
			value: (d) => d.inUse ? "U" : " "
		}
	];
	let nameWidth = Math.max(20, options.width ?? 80);
	let cols = columns;
	for (let idx = 1; idx < columns.length; idx++) {
		const d = columns[idx].width + COLUMN_SPACING;
		if (nameWidth - d < 12) {
			cols = columns.slice(0, idx);
			break;
		}
		nameWidth -= d;
	}
	let widest = cols[0].title.length;
	for (const img of shown) for (const n of img.repoTags.length ? img.repoTags : ["<untagged>"]) widest = Math.max(widest, n.length);
	cols[0].width = Math.min(nameWidth, widest);
	const cell = (c, s) => {
		const runes = Array.from(s);
		if (runes.length > c.width) return `${runes.slice(0, c.width - 3).join("")}...`;
		const fill = " ".repeat(c.width - runes.length);
		return c.align === "right" ? fill + s : s + fill;
	};
	let out = cols.map((c, i) => (i > 0 ? " ".repeat(COLUMN_SPACING) : "") + cell(c, c.title.toUpperCase())).join("") + "\n";
	for (const img of shown) {
		const names = img.repoTags.length ? img.repoTags : ["<untagged>"];
		out += names.map((n) => cell(cols[0], n)).join("\n");
		const details = {
			id: img.id,
			diskUsage: humanSize(img.size, 3),
			contentSize: humanSize(img.contentSize ?? 0, 3),
			inUse: img.containers > 0
		};
		for (const c of cols) if (c.value) out += " ".repeat(COLUMN_SPACING) + cell(c, c.value(details));
		out += "\n";
	}
	return out;
}
const HISTORY_HEADER = {
	ID: "IMAGE",
	CreatedSince: "CREATED",
	CreatedAt: "CREATED AT",
	CreatedBy: "CREATED BY",
	Size: "SIZE",
	Comment: "COMMENT"
};
function newHistoryFormat(source, quiet, human) {
	if (source !== "table") return source;
	if (quiet) return QUIET_FORMAT;
	return human ? "table {{.ID}}	{{.CreatedSince}}	{{.CreatedBy}}	{{.Size}}	{{.Comment}}" : "table {{.ID}}	{{.CreatedAt}}	{{.CreatedBy}}	{{.Size}}	{{.Comment}}";
}
function historyRows(entries, options) {
	return entries.map((h) => {
		const createdAt = rfc3339(h.created);
		const createdBy = h.createdBy.replaceAll("	", " ");
		return sortedKeys({
			Comment: h.comment,
			CreatedAt: createdAt,
			CreatedBy: options.trunc ? ellipsis(createdBy, 45) : createdBy,
			CreatedSince: !options.human ? createdAt : h.created <= 0 ? "N/A" : createdSince(h.created, options.now),
			ID: options.trunc ? truncateId(h.id) : h.id,
			Size: options.human ? humanSize(h.size, 3) : String(h.size)
		});
	});
}
function formatHistory(entries, options) {
	const human = options.human ?? true;
	return renderRows(newHistoryFormat(options.format || "table", options.quiet ?? false, human), historyRows(entries, {
		trunc: !options.noTrunc,
		human,
		now: options.now
	}), HISTORY_HEADER);
}
const LAYERS_HEADER = {
	Position: "LAYER",
	DiffID: "DIFF ID",
	Size: "SIZE",
	CreatedBy: "CREATED BY",
	CreatedSince: "CREATED",
	Added: "ADDED",
	Modified: "MODIFIED",
	Deleted: "DELETED",
	Wasted: "WASTED"
};
const LAYERS_TABLE = "table {{.Position}}	{{.DiffID}}	{{.Size}}	{{.Added}}	{{.Modified}}	{{.Deleted}}	{{.Wasted}}	{{.CreatedBy}}";
/** One row per layer, base first; `--format json` gets the byte counts as numbers too. */
function layerRows(layers, options) {
	return layers.map((l) => {
		const createdBy = l.createdBy.replaceAll("	", " ");
		return sortedKeys({
			Added: l.added,
			CreatedBy: options.trunc ? ellipsis(createdBy, 45) : createdBy,
			CreatedSince: l.created <= 0 ? "N/A" : createdSince(l.created, options.now),
			Deleted: l.deleted,
			DiffID: options.trunc ? truncateId(l.diffId) : l.diffId,
			Modified: l.modified,
			Position: l.position,
			Size: humanSize(l.size, 3),
			SizeBytes: l.size,
			Wasted: humanSize(l.wastedBytes, 3),
			WastedBytes: l.wastedBytes
		});
	});
}
function formatLayers(layers, options) {
	return renderRows(!options.format || options.format === "table" ? LAYERS_TABLE : options.format, layerRows(layers, {
		trunc: !options.noTrunc,
		now: options.now
	}), LAYERS_HEADER);
}
const DF_HEADER = {
	Type: "TYPE",
	TotalCount: "TOTAL",
	Active: "ACTIVE",
	Size: "SIZE",
	Reclaimable: "RECLAIMABLE"
};
const DF_TABLE = "table {{.Type}}	{{.TotalCount}}	{{.Active}}	{{.Size}}	{{.Reclaimable}}";
const DF_IMAGE_TABLE = "table {{.Repository}}	{{.Tag}}	{{.ID}}	{{.CreatedSince}}	{{.Size}}	{{.SharedSize}}	{{.UniqueSize}}	{{.Containers}}";
const DF_CONTAINER_TABLE = "table {{.ID}}	{{.Image}}	{{.Command}}	{{.LocalVolumes}}	{{.Size}}	{{.RunningFor}}	{{.Status}}	{{.Names}}";
const DF_VOLUME_TABLE = "table {{.Name}}	{{.Links}}	{{.Size}}";
const DF_CACHE_TABLE = "table {{.ID}}	{{.CacheType}}	{{.Size}}	{{.CreatedSince}}	{{.LastUsedSince}}	{{.UsageCount}}	{{.Shared}}";
const CONTAINER_HEADER = {
	ID: "CONTAINER ID",
	Image: "IMAGE",
	Command: "COMMAND",
	LocalVolumes: "LOCAL VOLUMES",
	Size: "SIZE",
	RunningFor: "CREATED",
	Status: "STATUS",
	Names: "NAMES",
	CreatedAt: "CREATED AT",
	State: "STATE"
};
const VOLUME_HEADER = {
	Name: "VOLUME NAME",
	Links: "LINKS",
	Size: "SIZE",
	Driver: "DRIVER"
};
const CACHE_HEADER = {
	ID: "CACHE ID",
	CacheType: "CACHE TYPE",
	Size: "SIZE",
	CreatedSince: "CREATED",
	LastUsedSince: "LAST USED",
	UsageCount: "USAGE",
	Shared: "SHARED",
	Description: "DESCRIPTION",
	InUse: "IN USE"
};
function reclaimableText(row) {
	if (row.type !== "Build Cache" && row.size > 0) return `${humanSize4(row.reclaimable)} (${Math.trunc(row.reclaimable * 100 / row.size)}%)`;
	return humanSize4(row.reclaimable);
}
function diskUsageSummaryRows(rows) {
	return rows.map((r) => sortedKeys({
		Active: String(r.active),
		Reclaimable: reclaimableText(r),
		Size: humanSize4(r.size),
		TotalCount: String(r.total),
		Type: r.type
	}));
}
function dfImageRow(img, trunc, now) {
	let repo = "<none>";
	let tag = "<none>";
	const first = img.repoTags[0];
	const ref = first ? tryParse(first) : void 0;
	if (ref?.tag !== void 0) {
		repo = familiarName(`${ref.domain}/${ref.path}`);
		tag = ref.tag;
	}
	return imageRow({
		...img,
		repoDigests: [],
		parentId: "",
		labels: {}
	}, repo, tag, "<none>", trunc, now);
}
function dfContainerRow(c, trunc, now) {
	let names = c.names.map((n) => n.replace(/^\//, ""));
	if (trunc) {
		const plain = names.find((n) => !n.includes("/"));
		if (plain) names = [plain];
	}
	return sortedKeys({
		Command: JSON.stringify(trunc ? ellipsis(c.command, 20) : c.command),
		CreatedAt: goTimeString(c.created),
		ID: trunc ? truncateId(c.id) : c.id,
		Image: c.image,
		LocalVolumes: "0",
		Names: names.join(","),
		RunningFor: `${humanDuration(now - c.created * 1e3)} ago`,
		Size: humanSize(c.sizeRw, 3),
		State: c.state,
		Status: c.status
	});
}
function dfCacheRow(b, trunc, now) {
	const id = trunc ? truncateId(b.id) : b.id;
	return sortedKeys({
		CacheType: b.type,
		CreatedSince: `${humanDuration(now - b.createdAt * 1e3)} ago`,
		Description: b.description,
		ID: b.inUse ? `${id}*` : id,
		InUse: String(b.inUse),
		LastUsedSince: b.lastUsedAt ? `${humanDuration(now - b.lastUsedAt * 1e3)} ago` : "",
		Shared: String(b.shared),
		Size: humanSize(b.size, 3),
		UsageCount: String(b.usageCount)
	});
}
/** docker/cli NewDiskUsageFormat. */
function newDiskUsageFormat(source, verbose) {
	if (verbose && source === "raw") return [
		`{{range .Images}}type: Image\n${newImageFormat("raw", false, true)}\n{{end -}}`,
		"{{range .Containers}}type: Container\ncontainer_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{.State}}\nstatus: {{.Status}}\nnames: {{.Names}}\nsize: {{.Size}}\n{{end -}}",
		"{{range .Volumes}}type: Volume\nname: {{.Name}}\ndriver: {{.Driver}}\n{{end -}}",
		"{{range .BuildCache}}type: Build Cache\nbuild_cache_id: {{.ID}}\ntype: {{.CacheType}}\ndescription: {{.Description}}\ncreated_at: {{.CreatedSince}}\nlast_used_at: {{.LastUsedSince}}\nusage_count: {{.UsageCount}}\nin_use: {{.InUse}}\nshared: {{.Shared}}\n{{end -}}"
	].join("\n");
	if (!verbose && source === "table") return DF_TABLE;
	if (!verbose && source === "raw") return "type: {{.Type}}\ntotal: {{.TotalCount}}\nactive: {{.Active}}\nsize: {{.Size}}\nreclaimable: {{.Reclaimable}}\n";
	return source;
}
/** `system df` text output (docker's DiskUsageContext.Write). */
function formatDiskUsage(du, options) {
	const format = newDiskUsageFormat(options.format || "table", options.verbose ?? false);
	if (!options.verbose) return renderRows(format, diskUsageSummaryRows(du.summary), DF_HEADER);
	const trunc = isTable(format);
	const cacheSorted = [...du.buildCache].sort((a, b) => a.lastUsedAt === 0 ? -1 : b.lastUsedAt === 0 ? 1 : b.lastUsedAt - a.lastUsedAt);
	const images = du.images.map((i) => dfImageRow(i, trunc, options.now));
	const containers = du.containers.map((c) => dfContainerRow(c, trunc, options.now));
	const cache = cacheSorted.map((b) => dfCacheRow(b, trunc, options.now));
	if (format === "table") {
		const cacheTotal = du.summary.find((r) => r.type === "Build Cache")?.size ?? 0;
		return `Images space usage:\n\n${renderRows(DF_IMAGE_TABLE.replace("{{.Size}}", `{{.${options.imageSizeField ?? "Size"}}}`), images, IMAGE_HEADER)}\nContainers space usage:\n\n${renderRows(DF_CONTAINER_TABLE, containers, CONTAINER_HEADER)}\nLocal Volumes space usage:\n\n${renderRows(DF_VOLUME_TABLE, [], VOLUME_HEADER)}\nBuild cache usage: ${humanSize4(cacheTotal)}\n\n${renderRows(DF_CACHE_TABLE, cache, CACHE_HEADER)}`;
	}
	const data = {
		Images: images,
		Containers: containers,
		Volumes: [],
		BuildCache: cache
	};
	const out = compile(format).execute(data);
	return isTable(format) ? tabwrite(out) : out;
}
/**
* What `images` prints for the images the store returned: like docker/cli's runImages, dangling
* images (no tags, no digests) are dropped unless `-a` or a dangling filter asks for them.
*/
function formatImagesCommand(images, options) {
	let list = images;
	if (!options.all && !options.filters?.dangling) list = list.filter((i) => !isDangling(i));
	if (options.tree && !options.quiet && !options.noTrunc && !options.digests && !options.format) return formatImageTree(list, {
		all: options.all ?? false,
		danglingTrue: options.filters?.dangling?.includes("true") ?? false,
		...options.width ? { width: options.width } : {}
	});
	return formatImageList(list, {
		format: options.format || "table",
		quiet: options.quiet ?? false,
		noTrunc: options.noTrunc ?? false,
		digests: options.digests ?? false,
		now: options.now
	});
}
// src/main/cli/commands/images.ts
init_list();
init_history();
init_inspect();
init_prune();
init_image_service();
init_layers();
init_formatter();
init_template();
init_reference();
init_units();
init_errors$2();
const LIST_FLAGS = [
	{
		name: "all",
		short: "a",
		type: "bool",
		description: "Show all images (default hides intermediate and dangling images)"
	},
	{
		name: "digests",
		type: "bool",
		description: "Show digests"
	},
	{
		name: "filter",
		short: "f",
		type: "strings",
		value: "filter",
		description: "Filter output based on conditions provided"
	},
	{
		name: "format",
		type: "string",
		description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'"
	},
	{
		name: "no-trunc",
		type: "bool",
		description: "Don't truncate output"
	},
	{
		name: "quiet",
		short: "q",
		type: "bool",
		description: "Only show image IDs"
	},
	{
		name: "tree",
		type: "bool",
		description: "docker 29's compact view (IMAGE, ID, DISK USAGE, CONTENT SIZE, EXTRA)"
	}
];
async function runImages(ctx, calledAsImages) {
	const matchName = ctx.args[0];
	const filters = parseFilters(flagStrings(ctx, "filter"));
	if (matchName) (filters.reference ??= []).push(matchName);
	const all = flagBool(ctx, "all");
	const engine = ctx.engine();
	const tree = flagBool(ctx, "tree");
	const images = listImages$1(engine, {
		all,
		filters
	});
	if (tree) for (const img of images) img.containers = engine.images.usersOf(img.id).length;
	const format = flagString(ctx, "format");
	const out = formatImagesCommand(images, {
		all,
		filters,
		...format !== void 0 ? { format } : {},
		quiet: flagBool(ctx, "quiet"),
		noTrunc: flagBool(ctx, "no-trunc"),
		digests: flagBool(ctx, "digests"),
		tree,
		...ctx.stdout.columns ? { width: ctx.stdout.columns } : {},
		now: Date.now()
	});
	ctx.stdout.write(out);
	const shown = images.filter((i) => all || filters.dangling || i.repoTags.length > 0 || i.repoDigests.length > 0);
	if (calledAsImages && matchName && shown.length === 0) {
		const hint = ambiguousHint(matchName, "strata");
		if (hint) ctx.stderr.write(`\n${hint}`);
	}
	return 0;
}
const imagesCommand = {
	path: ["images"],
	usage: "strata images [OPTIONS] [REPOSITORY[:TAG]]",
	description: "List images",
	flags: LIST_FLAGS,
	maxArgs: 1,
	run: (ctx) => runImages(ctx, true)
};
const imageLsCommand = {
	path: ["image", "ls"],
	aliases: [["image", "list"]],
	usage: "strata image ls [OPTIONS] [REPOSITORY[:TAG]]",
	description: "List images",
	flags: LIST_FLAGS,
	maxArgs: 1,
	run: (ctx) => runImages(ctx, false)
};
const historyCommand = {
	path: ["history"],
	aliases: [["image", "history"]],
	usage: "strata history [OPTIONS] IMAGE",
	description: "Show the history of an image",
	flags: [
		{
			name: "format",
			type: "string",
			description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'"
		},
		{
			name: "human",
			short: "H",
			type: "bool",
			description: "Print sizes and dates in human readable format (default true)"
		},
		{
			name: "no-trunc",
			type: "bool",
			description: "Don't truncate output"
		},
		{
			name: "quiet",
			short: "q",
			type: "bool",
			description: "Only show image IDs"
		}
	],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const entries = imageHistory(ctx.engine(), ctx.args[0]);
		const format = flagString(ctx, "format");
		ctx.stdout.write(formatHistory(entries, {
			...format !== void 0 ? { format } : {},
			quiet: flagBool(ctx, "quiet"),
			human: ctx.flags.human !== false,
			noTrunc: flagBool(ctx, "no-trunc"),
			now: Date.now()
		}));
	}
};
const imageLayersCommand = {
	path: ["image", "layers"],
	usage: "strata image layers [OPTIONS] IMAGE",
	description: "Show the layers of an image: size, the step that made each, files added/modified/deleted, and bytes later layers hide",
	flags: [{
		name: "format",
		type: "string",
		description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'"
	}, {
		name: "no-trunc",
		type: "bool",
		description: "Don't truncate output"
	}],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		const layers = layerSummaries(engine, engine.images.resolve(ctx.args[0]));
		const format = flagString(ctx, "format");
		ctx.stdout.write(formatLayers(layers, {
			...format !== void 0 ? { format } : {},
			noTrunc: flagBool(ctx, "no-trunc"),
			now: Date.now()
		}));
	}
};
const inspectCommand = {
	path: ["inspect"],
	aliases: [["image", "inspect"]],
	usage: "strata inspect [OPTIONS] IMAGE [IMAGE...]",
	description: "Display detailed information on one or more images",
	flags: [{
		name: "format",
		short: "f",
		type: "string",
		description: "Format output using a custom template: 'json', 'TEMPLATE'"
	}],
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		const found = [];
		const missing = [];
		for (const name of ctx.args) try {
			found.push(inspectImage(engine, name));
		} catch (err) {
			if (!(err instanceof ImageNotFoundError)) throw err;
			missing.push(name);
		}
		const format = flagString(ctx, "format");
		if (format === void 0 || format === "" || format === "json") ctx.stdout.write(`${goEscape(JSON.stringify(found, null, 4))}\n`);
		else {
			const tmpl = compile(format);
			for (const obj of found) ctx.stdout.write(`${tmpl.execute(obj)}\n`);
		}
		for (const name of missing) ctx.stderr.write(`Error: No such image: ${name}\n`);
		return missing.length > 0 ? 1 : 0;
	}
};
const tagCommand = {
	path: ["tag"],
	aliases: [["image", "tag"]],
	usage: "strata tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
	description: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
	flags: [],
	minArgs: 2,
	maxArgs: 2,
	async run(ctx) {
		const target = ctx.args[1];
		try {
			parseReference(target);
		} catch (err) {
			throw new StrataError("invalid", `error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${err.message}`);
		}
		ctx.engine().images.tag(ctx.args[0], target);
	}
};
function printDeleteItems(ctx, items, prefix) {
	for (const i of items) ctx.stdout.write(i.deleted ? `${prefix.deleted}${i.deleted}\n` : `${prefix.untagged}${i.untagged}\n`);
}
const rmiCommand = {
	path: ["rmi"],
	aliases: [["image", "rm"], ["image", "remove"]],
	usage: "strata rmi [OPTIONS] IMAGE [IMAGE...]",
	description: "Remove one or more images",
	flags: [{
		name: "force",
		short: "f",
		type: "bool",
		description: "Force removal of the image"
	}, {
		name: "no-prune",
		type: "bool",
		description: "Do not delete untagged parents"
	}],
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		const force = flagBool(ctx, "force");
		const errors = [];
		let fatal = false;
		let deletedAny = false;
		for (const name of ctx.args) try {
			const items = removeImage(engine, name, {
				force,
				noPrune: flagBool(ctx, "no-prune")
			});
			deletedAny ||= items.some((i) => i.deleted);
			printDeleteItems(ctx, items, {
				untagged: "Untagged: ",
				deleted: "Deleted: "
			});
		} catch (err) {
			if (!(err instanceof ImageNotFoundError)) fatal = true;
			errors.push(err);
		}
		if (deletedAny) await engine.gc.collect();
		for (const e of errors) reportError(ctx.stderr, e);
		return errors.length > 0 && (!force || fatal) ? 1 : 0;
	}
};
const DANGLING_WARNING = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?";
const ALL_WARNING = "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?";
const imagePruneCommand = {
	path: ["image", "prune"],
	usage: "strata image prune [OPTIONS]",
	description: "Remove unused images",
	flags: [
		{
			name: "all",
			short: "a",
			type: "bool",
			description: "Remove all unused images, not just dangling ones"
		},
		{
			name: "filter",
			type: "strings",
			value: "filter",
			description: "Provide filter values (e.g. \"until=<timestamp>\", \"label=k=v\")"
		},
		{
			name: "force",
			short: "f",
			type: "bool",
			description: "Do not prompt for confirmation"
		}
	],
	maxArgs: 0,
	async run(ctx) {
		const all = flagBool(ctx, "all");
		if (!flagBool(ctx, "force")) {
			if (!await confirm(ctx, all ? "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?" : "WARNING! This will remove all dangling images.\nAre you sure you want to continue?")) {
				ctx.stderr.write("image prune has been cancelled\n");
				return 0;
			}
		}
		const result = await pruneImages(ctx.engine(), {
			all,
			filters: parseFilters(flagStrings(ctx, "filter"))
		});
		if (result.deleted.length > 0) {
			ctx.stdout.write("Deleted Images:\n");
			printDeleteItems(ctx, result.deleted, {
				untagged: "untagged: ",
				deleted: "deleted: "
			});
			ctx.stdout.write("\n");
		}
		ctx.stdout.write(`Total reclaimed space: ${humanSize4(result.spaceReclaimed)}\n`);
		return 0;
	}
};
// src/main/cli/commands/usage.ts
init_disk_usage();
const systemDfCommand = {
	path: ["system", "df"],
	usage: "strata system df [OPTIONS]",
	description: "Show disk usage: each layer counted once",
	flags: [{
		name: "format",
		type: "string",
		description: "'json' prints the structured report (api.ts DiskUsageReport); 'table', 'table TEMPLATE', 'raw' or 'TEMPLATE' format like docker"
	}, {
		name: "verbose",
		short: "v",
		type: "bool",
		description: "Show detailed information on space usage"
	}],
	maxArgs: 0,
	async run(ctx) {
		const report = diskUsage(ctx.engine());
		const format = flagString(ctx, "format");
		if (format === "json") {
			ctx.stdout.write(`${JSON.stringify(report)}\n`);
			return;
		}
		ctx.stdout.write(formatDiskUsage(report, {
			...format !== void 0 ? { format } : {},
			verbose: flagBool(ctx, "verbose"),
			now: Date.now()
		}));
	}
};
// src/main/cli/commands/registry.ts
init_units();
init_reference();
init_pull();
init_push();
init_login();
init_credentials();
init_errors$2();
const INSECURE_FLAG = {
	name: "insecure",
	type: "bool",
	description: "Allow plain HTTP and unverified TLS for this registry"
};
/**
* docker's progress display (jsonmessage.DisplayJSONMessagesStream). On a terminal each layer
* keeps one line that is rewritten in place (with a bar when the terminal is wider than 110
* columns); otherwise every status is one plain line and byte counts are left out.
*/
function progressRenderer(out) {
	const tty = out.isTTY === true;
	let ids = /* @__PURE__ */ new Map();
	const starts = /* @__PURE__ */ new Map();
	return (e) => {
		const hasBytes = e.current !== void 0 && (e.current > 0 || (e.total ?? 0) > 0);
		if (!tty) {
			if (!hasBytes) out.write(`${e.id ? `${e.id}: ` : ""}${e.status}\n`);
			return;
		}
		if (!e.id) {
			ids = /* @__PURE__ */ new Map();
			out.write(`${e.status}\n`);
			return;
		}
		let line = ids.get(e.id);
		if (line === void 0) {
			line = ids.size;
			ids.set(e.id, line);
			out.write("\n");
		}
		const diff = ids.size - line;
		if (hasBytes && !starts.has(e.id)) starts.set(e.id, Date.now());
		const bar = hasBytes ? ` ${progressBar(e.current ?? 0, e.total ?? 0, out.columns ?? 80, starts.get(e.id))}` : "";
		out.write(`\x1b[${diff}A\x1b[2K\r${e.id}: ${e.status}${bar}\r\x1b[${diff}B`);
	};
}
/** jsonmessage.JSONProgress.String: `[=====>     ]  1.2MB/3.4MB 2s`. */
function progressBar(current, total, width, startMs, now = Date.now()) {
	if (total <= 0) return humanSize4(current).padStart(8);
	const percentage = Math.min(50, Math.trunc(Math.trunc(current / total * 100) / 2));
	const box = width > 110 ? `[${"=".repeat(percentage)}>${" ".repeat(Math.max(0, 50 - percentage))}] ` : "";
	const numbers = current > total ? humanSize4(current).padStart(8) : `${humanSize4(current).padStart(8)}/${humanSize4(total)}`;
	let left = "";
	if (current > 0 && percentage < 50 && width > 50) left = ` ${goDuration(Math.trunc((now - startMs) / current * (total - current) / 1e3))}`;
	return box + numbers + left;
}
/** Go's time.Duration.String for whole seconds: `0s`, `45s`, `1m5s`, `2h0m3s`. */
function goDuration(seconds) {
	const h = Math.trunc(seconds / 3600);
	const m = Math.trunc(seconds % 3600 / 60);
	const s = seconds % 60;
	if (h > 0) return `${h}h${m}m${s}s`;
	if (m > 0) return `${m}m${s}s`;
	return `${s}s`;
}
/** `Using default tag: latest` when the user named no tag (docker prints it before pull and push). */
function noteDefaultTag(ctx, input, quiet) {
	const bare = parseReference(input, { defaultTag: false });
	if (bare.tag === void 0 && bare.digest === void 0 && !quiet) ctx.stdout.write("Using default tag: latest\n");
}
/** What pull and push share: cancellation, `--insecure`, and the progress display unless `-q`. */
function transferOptions(ctx, quiet) {
	return {
		signal: ctx.signal,
		insecure: flagBool(ctx, "insecure"),
		...quiet ? {} : { onProgress: progressRenderer(ctx.stdout) }
	};
}
const pullCommand = {
	path: ["pull"],
	aliases: [["image", "pull"]],
	usage: "strata pull [OPTIONS] NAME[:TAG|@DIGEST]",
	description: "Download an image from a registry",
	flags: [
		{
			name: "all-tags",
			short: "a",
			type: "bool",
			description: "Download all tagged images in the repository"
		},
		{
			name: "platform",
			type: "string",
			value: "string",
			description: "Set platform if server is multi-platform capable"
		},
		{
			name: "quiet",
			short: "q",
			type: "bool",
			description: "Suppress verbose output"
		},
		INSECURE_FLAG
	],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const input = ctx.args[0];
		const quiet = flagBool(ctx, "quiet");
		const platform = flagString(ctx, "platform");
		const options = {
			...transferOptions(ctx, quiet),
			...platform ? { platform } : {}
		};
		const allTags = flagBool(ctx, "all-tags");
		if (!allTags) noteDefaultTag(ctx, input, quiet);
		const { reference } = allTags ? await pullAllTags(ctx.engine(), input, options) : await pull(ctx.engine(), input, options);
		ctx.stdout.write(`${reference}\n`);
	}
};
const pushCommand = {
	path: ["push"],
	aliases: [["image", "push"]],
	usage: "strata push [OPTIONS] NAME[:TAG]",
	description: "Upload an image to a registry",
	flags: [
		{
			name: "all-tags",
			short: "a",
			type: "bool",
			description: "Push all tags of an image to the repository"
		},
		{
			name: "quiet",
			short: "q",
			type: "bool",
			description: "Suppress verbose output"
		},
		INSECURE_FLAG
	],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const input = ctx.args[0];
		const quiet = flagBool(ctx, "quiet");
		const options = transferOptions(ctx, quiet);
		const allTags = flagBool(ctx, "all-tags");
		if (!allTags) noteDefaultTag(ctx, input, quiet);
		const results = allTags ? await pushAllTags(ctx.engine(), input, options) : [await push(ctx.engine(), input, options)];
		if (quiet) for (const r of results) ctx.stdout.write(`${r.reference}\n`);
	}
};
async function readStdin(ctx) {
	const chunks = [];
	for await (const c of ctx.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
	return Buffer.concat(chunks).toString("utf8").replace(/\n$/, "").replace(/\r$/, "");
}
const loginCommand = {
	path: ["login"],
	usage: "strata login [OPTIONS] [SERVER]",
	description: "Log in to a registry (credentials go to docker's config.json)",
	flags: [
		{
			name: "username",
			short: "u",
			type: "string",
			value: "string",
			description: "Username"
		},
		{
			name: "password",
			short: "p",
			type: "string",
			value: "string",
			description: "Password"
		},
		{
			name: "password-stdin",
			type: "bool",
			description: "Take the password from stdin"
		},
		INSECURE_FLAG
	],
	maxArgs: 1,
	async run(ctx) {
		const username = flagString(ctx, "username");
		let password = flagString(ctx, "password");
		if (flagBool(ctx, "password-stdin")) {
			if (password !== void 0) throw new UsageError("--password and --password-stdin are mutually exclusive");
			if (!username) throw new UsageError("Must provide --username with --password-stdin");
			password = await readStdin(ctx);
		} else if (password !== void 0) ctx.stderr.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
		if (!username || password === void 0) throw new StrataError("invalid", "Cannot perform an interactive login: use --username with --password-stdin");
		const registry = loginRegistry(ctx.args[0]);
		const store = new DockerConfigCredentialStore();
		await login(ctx.engine(), registry, {
			username,
			password
		}, {
			credentials: store,
			insecure: flagBool(ctx, "insecure"),
			signal: ctx.signal
		});
		if (!store.helperFor(registry)) ctx.stderr.write(`WARNING! Your password will be stored unencrypted in ${store.plaintextLocation}.\nConfigure a credential helper to remove this warning. See
https://docs.docker.com/engine/reference/commandline/login/#credentials-store

`);
		ctx.stdout.write("Login Succeeded\n");
	}
};
const logoutCommand = {
	path: ["logout"],
	usage: "strata logout [SERVER]",
	description: "Log out from a registry",
	flags: [],
	maxArgs: 1,
	async run(ctx) {
		const registry = loginRegistry(ctx.args[0]);
		const key = authKey(registry);
		if (await logout(ctx.engine(), registry)) ctx.stdout.write(`Removing login credentials for ${key}\n`);
		else ctx.stdout.write(`Not logged in to ${key}\n`);
	}
};
// src/main/cli/commands/container-lifecycle.ts
/** `stop`, `kill`, `rm`, `wait` and `container prune`: one container after another, docker's wording for each failure. */
init_units();
/** Applies `fn` to each named container, docker-style: print the name, or an error line and go on. */
async function eachContainer(ctx, fn) {
	let failed = false;
	for (const ref of ctx.args) try {
		await fn(ref);
		ctx.stdout.write(`${ref}\n`);
	} catch (err) {
		failed = true;
		reportError(ctx.stderr, err, "daemon");
	}
	return failed ? 1 : 0;
}
function parseSignal(s, fallback) {
	if (!s) return fallback;
	const signals = constants$1.signals;
	if (/^\d+$/.test(s)) {
		const name = Object.keys(signals).find((k) => signals[k] === Number(s));
		if (name) return name;
	}
	const name = s.toUpperCase().startsWith("SIG") ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
	if (!(name in signals)) throw new UsageError(`invalid signal: ${s}`);
	return name;
}
const stopCommand = {
	path: ["stop"],
	aliases: [["container", "stop"]],
	usage: "strata stop [OPTIONS] CONTAINER [CONTAINER...]",
	description: "Stop one or more running containers",
	flags: [{
		name: "time",
		short: "t",
		type: "string",
		description: "Seconds to wait before killing the container"
	}, {
		name: "signal",
		short: "s",
		type: "string",
		description: "Signal to send to the container"
	}],
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		const t = Number(flagString(ctx, "time") ?? "10");
		return eachContainer(ctx, async (ref) => {
			const sig = flagString(ctx, "signal");
			if (sig) {
				await engine.containers.kill(ref, parseSignal(sig, "SIGTERM"));
				if (!await engine.containers.waitExit(engine.containers.get(ref).id, t * 1e3)) await engine.containers.kill(ref, "SIGKILL");
			} else await engine.containers.stop(ref, t);
		});
	}
};
const killCommand = {
	path: ["kill"],
	aliases: [["container", "kill"]],
	usage: "strata kill [OPTIONS] CONTAINER [CONTAINER...]",
	description: "Kill one or more running containers",
	flags: [{
		name: "signal",
		short: "s",
		type: "string",
		description: "Signal to send to the container"
	}],
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		const sig = parseSignal(flagString(ctx, "signal"), "SIGKILL");
		return eachContainer(ctx, async (ref) => {
			await engine.containers.kill(ref, sig);
			if (sig === "SIGKILL") await engine.containers.waitExit(engine.containers.get(ref).id, 1e4);
		});
	}
};
const rmCommand = {
	path: ["rm"],
	aliases: [["container", "rm"], ["container", "remove"]],
	usage: "strata rm [OPTIONS] CONTAINER [CONTAINER...]",
	description: "Remove one or more containers",
	flags: [{
		name: "force",
		short: "f",
		type: "bool",
		description: "Force the removal of a running container (uses SIGKILL)"
	}],
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		return eachContainer(ctx, (ref) => engine.containers.remove(ref, { force: flagBool(ctx, "force") }));
	}
};
const waitCommand = {
	path: ["wait"],
	aliases: [["container", "wait"]],
	usage: "strata wait CONTAINER [CONTAINER...]",
	description: "Block until one or more containers stop, then print their exit codes",
	flags: [],
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		for (const ref of ctx.args) {
			const id = engine.containers.get(ref).id;
			while (engine.containers.get(id).state === "running" && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 100));
			ctx.stdout.write(`${engine.containers.get(id).exitCode}\n`);
		}
	}
};
const containerPruneCommand = {
	path: ["container", "prune"],
	usage: "strata container prune [OPTIONS]",
	description: "Remove all stopped containers",
	flags: [{
		name: "force",
		short: "f",
		type: "bool",
		description: "Do not prompt for confirmation"
	}],
	maxArgs: 0,
	async run(ctx) {
		if (!flagBool(ctx, "force")) {
			if (!await confirm(ctx, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?")) return 0;
		}
		const res = await ctx.engine().containers.prune();
		if (res.deleted.length > 0) ctx.stdout.write(`Deleted Containers:\n${res.deleted.map((id) => `${id}\n`).join("")}\n`);
		ctx.stdout.write(`Total reclaimed space: ${humanSize(res.reclaimed)}\n`);
	}
};
// src/main/cli/commands/container-run.ts
init_sandbox();
init_policy();
init_container_service();
init_image_service();
init_reference();
init_pull();
const CREATE_FLAGS = [
	{
		name: "name",
		type: "string",
		description: "Assign a name to the container"
	},
	{
		name: "env",
		short: "e",
		type: "strings",
		value: "list",
		description: "Set environment variables"
	},
	{
		name: "env-file",
		type: "strings",
		value: "list",
		description: "Read in a file of environment variables"
	},
	{
		name: "workdir",
		short: "w",
		type: "string",
		description: "Working directory inside the container"
	},
	{
		name: "user",
		short: "u",
		type: "string",
		description: "Username or UID (format: <name|uid>[:<group|gid>])"
	},
	{
		name: "entrypoint",
		type: "string",
		description: "Overwrite the default ENTRYPOINT of the image"
	},
	{
		name: "interactive",
		short: "i",
		type: "bool",
		description: "Keep STDIN open even if not attached"
	},
	{
		name: "tty",
		short: "t",
		type: "bool",
		description: "Allocate a pseudo-TTY"
	},
	{
		name: "rm",
		type: "bool",
		description: "Automatically remove the container and its associated anonymous volumes when it exits"
	},
	{
		name: "label",
		short: "l",
		type: "strings",
		value: "list",
		description: "Set meta data on a container"
	},
	{
		name: "network",
		type: "string",
		description: "Connect a container to a network: \"none\", \"bridge\" (default: a private network with a loopback only) or \"host\""
	},
	{
		name: "pull",
		type: "string",
		description: "Pull image before running (\"always\", \"missing\", \"never\") (default \"missing\")"
	}
];
/**
* create/run with docker's --pull policy: a missing image is pulled first ("Unable to find image
* … locally"), with the progress on stderr so stdout stays the container's.
*/
async function createWithPull(ctx, engine, opts) {
	const policy = flagString(ctx, "pull") ?? "missing";
	if (![
		"always",
		"missing",
		"never"
	].includes(policy)) throw new UsageError(`invalid pull option: '${policy}': must be one of "always", "missing" or "never"`);
	const fetch = async () => {
		await pull(engine, opts.image, {
			signal: ctx.signal,
			onProgress: progressRenderer(ctx.stderr)
		});
	};
	if (policy === "always") await fetch();
	try {
		return engine.containers.create(opts);
	} catch (err) {
		if (!(err instanceof ImageNotFoundError) || policy !== "missing" || !isValidReference(opts.image)) throw err;
		ctx.stderr.write(`Unable to find image '${familiarString(parseReference(opts.image))}' locally\n`);
		await fetch();
		return engine.containers.create(opts);
	}
}
function isValidReference(s) {
	try {
		parseReference(s);
		return !/^[a-f0-9]{12,64}$/.test(s);
	} catch {
		return false;
	}
}
function createOptions(ctx) {
	const [image, ...cmd] = ctx.args;
	const network = flagString(ctx, "network");
	const mode = network === void 0 ? void 0 : parseNetworkMode(network);
	if (network !== void 0 && mode === void 0) throw new UsageError(`network ${network} not found`);
	const opts = {
		image,
		cmd,
		env: flagStrings(ctx, "env"),
		envFiles: flagStrings(ctx, "env-file"),
		labels: flagStrings(ctx, "label"),
		tty: flagBool(ctx, "tty"),
		openStdin: flagBool(ctx, "interactive"),
		autoRemove: flagBool(ctx, "rm")
	};
	const set = (k, v) => {
		if (v !== void 0) opts[k] = v;
	};
	set("name", flagString(ctx, "name"));
	set("workdir", flagString(ctx, "workdir"));
	set("user", flagString(ctx, "user"));
	set("entrypoint", flagString(ctx, "entrypoint"));
	set("network", mode);
	return opts;
}
/** Runs a started container's I/O against the terminal until it exits; returns its exit code. */
async function attachTerminal(ctx, proc, options) {
	proc.onData((d, stream) => (stream === "stderr" ? ctx.stderr : ctx.stdout).write(d));
	const stdin = ctx.stdin;
	const raw = options.tty && options.stdin && stdin.isTTY === true && typeof stdin.setRawMode === "function";
	const onInput = (d) => proc.write(d);
	const onEnd = () => proc.end();
	const onResize = () => {
		const out = ctx.stdout;
		if (out.columns && out.rows) proc.resize(out.columns, out.rows);
	};
	if (options.stdin) {
		if (raw) stdin.setRawMode(true);
		stdin.on("data", onInput);
		stdin.on("end", onEnd);
		stdin.resume();
	} else if (!options.tty) proc.end();
	if (options.tty) process.stdout.on("resize", onResize);
	const onAbort = () => proc.kill("SIGKILL");
	ctx.signal.addEventListener("abort", onAbort, { once: true });
	try {
		return (await proc.exited).exitCode;
	} finally {
		ctx.signal.removeEventListener("abort", onAbort);
		process.stdout.off("resize", onResize);
		stdin.off("data", onInput);
		stdin.off("end", onEnd);
		if (raw) stdin.setRawMode(false);
		if (options.stdin) stdin.pause();
	}
}
function terminalSize(ctx) {
	const out = ctx.stdout;
	return out.isTTY && out.columns && out.rows ? {
		cols: out.columns,
		rows: out.rows
	} : void 0;
}
/** docker's wording for a process that could not start; returns its exit code. */
function startFailed(ctx, err) {
	if (err instanceof ExecError) return reportError(ctx.stderr, err, "start");
	throw err;
}
async function runForeground(ctx, engine, rec, stdin) {
	let proc;
	engine.containers.announce("attach", rec.id);
	try {
		const size = terminalSize(ctx);
		proc = await engine.containers.start(rec.id, size ? { size } : {});
	} catch (err) {
		if (rec.config.AutoRemove) await engine.containers.remove(rec.id, { force: true });
		return startFailed(ctx, err);
	}
	const code = await attachTerminal(ctx, proc, {
		stdin,
		tty: rec.config.Tty
	});
	if (rec.config.AutoRemove) await engine.containers.remove(rec.id, { force: true });
	return code;
}
const runCommand = {
	path: ["run"],
	aliases: [["container", "run"]],
	usage: "strata run [OPTIONS] IMAGE [COMMAND] [ARG...]",
	description: "Create and run a new container from an image",
	flags: [...CREATE_FLAGS, {
		name: "detach",
		short: "d",
		type: "bool",
		description: "Run container in background and print container ID"
	}],
	interspersed: false,
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		const rec = await createWithPull(ctx, engine, createOptions(ctx));
		if (flagBool(ctx, "detach")) {
			try {
				await engine.containers.startDetached(rec.id);
			} catch (err) {
				return startFailed(ctx, err);
			}
			ctx.stdout.write(`${rec.id}\n`);
			return 0;
		}
		return runForeground(ctx, engine, rec, flagBool(ctx, "interactive"));
	}
};
const createCommand = {
	path: ["create"],
	aliases: [["container", "create"]],
	usage: "strata create [OPTIONS] IMAGE [COMMAND] [ARG...]",
	description: "Create a new container",
	flags: CREATE_FLAGS,
	interspersed: false,
	minArgs: 1,
	async run(ctx) {
		const rec = await createWithPull(ctx, ctx.engine(), createOptions(ctx));
		ctx.stdout.write(`${rec.id}\n`);
	}
};
const startCommand = {
	path: ["start"],
	aliases: [["container", "start"]],
	usage: "strata start [OPTIONS] CONTAINER [CONTAINER...]",
	description: "Start one or more stopped containers",
	flags: [{
		name: "attach",
		short: "a",
		type: "bool",
		description: "Attach STDOUT/STDERR and forward signals"
	}, {
		name: "interactive",
		short: "i",
		type: "bool",
		description: "Attach container's STDIN"
	}],
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		if (flagBool(ctx, "attach") || flagBool(ctx, "interactive")) {
			if (ctx.args.length > 1) throw new UsageError("you cannot start and attach multiple containers at once");
			return runForeground(ctx, engine, engine.containers.get(ctx.args[0]), flagBool(ctx, "interactive"));
		}
		return eachContainer(ctx, (ref) => engine.containers.startDetached(ref));
	}
};
const execCommand = {
	path: ["exec"],
	aliases: [["container", "exec"]],
	usage: "strata exec [OPTIONS] CONTAINER COMMAND [ARG...]",
	description: "Execute a command in a running container",
	flags: [
		{
			name: "interactive",
			short: "i",
			type: "bool",
			description: "Keep STDIN open even if not attached"
		},
		{
			name: "tty",
			short: "t",
			type: "bool",
			description: "Allocate a pseudo-TTY"
		},
		{
			name: "env",
			short: "e",
			type: "strings",
			value: "list",
			description: "Set environment variables"
		},
		{
			name: "user",
			short: "u",
			type: "string",
			description: "Username or UID (format: \"<name|uid>[:<group|gid>]\")"
		},
		{
			name: "workdir",
			short: "w",
			type: "string",
			description: "Working directory inside the container"
		}
	],
	interspersed: false,
	minArgs: 2,
	async run(ctx) {
		const engine = ctx.engine();
		const [ref, ...args] = ctx.args;
		const tty = flagBool(ctx, "tty");
		let proc;
		try {
			const size = terminalSize(ctx);
			proc = await engine.containers.exec(ref, {
				args,
				tty,
				env: flagStrings(ctx, "env"),
				...flagString(ctx, "user") !== void 0 ? { user: flagString(ctx, "user") } : {},
				...flagString(ctx, "workdir") !== void 0 ? { workdir: flagString(ctx, "workdir") } : {},
				...size ? { size } : {}
			});
		} catch (err) {
			if (err instanceof ExecError) return reportError(ctx.stderr, err, "exec");
			throw err;
		}
		return attachTerminal(ctx, proc, {
			stdin: flagBool(ctx, "interactive"),
			tty
		});
	}
};
// src/main/cli/container-format.ts
/** One row of `ps`, keyed by docker's template field names. */
function psRow(engine, c, now, trunc) {
	const command = containerArgs(c.config).join(" ");
	const image = engine.images.tryResolve(c.image) === c.imageId ? c.image : c.imageId.replace(/^sha256:/, "").slice(0, 12);
	const labels = Object.entries(c.config.Labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(",");
	return sortedKeys({
		Command: JSON.stringify(trunc ? ellipsis(command, 20) : command),
		CreatedAt: goTimeString(Math.floor(c.created / 1e3)),
		ID: trunc ? c.id.slice(0, 12) : c.id,
		Image: image,
		Labels: labels,
		LocalVolumes: "0",
		Mounts: "",
		Names: c.name,
		Networks: c.config.Network,
		Ports: "",
		RunningFor: createdSince(Math.floor(c.created / 1e3), now),
		Size: "0B",
		State: c.state,
		Status: statusText(c, now)
	});
}
function isoOrZero(ms) {
	return ms > 0 ? new Date(ms).toISOString() : ZERO_TIME;
}
/** docker's ContainerJSON, for the fields Strata has. */
function inspectContainer(engine, ref) {
	const c = engine.containers.get(ref);
	const args = containerArgs(c.config);
	const cfg = c.config;
	return {
		Id: c.id,
		Created: new Date(c.created).toISOString(),
		Path: args[0] ?? "",
		Args: args.slice(1),
		State: {
			Status: c.state,
			Running: c.state === "running",
			Paused: false,
			Restarting: false,
			OOMKilled: false,
			Dead: false,
			Pid: c.state === "running" ? c.sandboxPid : 0,
			ExitCode: c.exitCode,
			Error: "",
			StartedAt: isoOrZero(c.startedAt),
			FinishedAt: isoOrZero(c.finishedAt)
		},
		Image: c.imageId,
		LogPath: `${engine.containers.dirOf(c.id)}/container.log`,
		Name: `/${c.name}`,
		RestartCount: 0,
		Driver: "overlay",
		Platform: "linux",
		HostConfig: {
			AutoRemove: cfg.AutoRemove,
			NetworkMode: cfg.Network
		},
		GraphDriver: {
			Name: "overlay",
			Data: {
				UpperDir: engine.containers.upperDir(c.id),
				WorkDir: `${engine.containers.dirOf(c.id)}/work`
			}
		},
		Mounts: [],
		Config: {
			Hostname: cfg.Hostname,
			Domainname: "",
			User: cfg.User ?? "",
			AttachStdin: cfg.OpenStdin,
			AttachStdout: true,
			AttachStderr: true,
			...cfg.ExposedPorts ? { ExposedPorts: cfg.ExposedPorts } : {},
			Tty: cfg.Tty,
			OpenStdin: cfg.OpenStdin,
			StdinOnce: false,
			Env: cfg.Env ?? [],
			Cmd: cfg.Cmd ?? null,
			Image: cfg.Image,
			Volumes: cfg.Volumes ?? null,
			WorkingDir: cfg.WorkingDir ?? "",
			Entrypoint: cfg.Entrypoint ?? null,
			OnBuild: cfg.OnBuild ?? null,
			Labels: cfg.Labels ?? {},
			...cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}
		},
		NetworkSettings: { Networks: { [cfg.Network]: {} } }
	};
}
var PS_HEADER, ZERO_TIME;
var init_container_format = __esmMin((() => {
	init_config();
	init_container_service();
	init_formatter();
	init_units();
	PS_HEADER = {
		ID: "CONTAINER ID",
		Image: "IMAGE",
		Command: "COMMAND",
		RunningFor: "CREATED",
		Status: "STATUS",
		Ports: "PORTS",
		Names: "NAMES",
		CreatedAt: "CREATED AT",
		Labels: "LABELS",
		LocalVolumes: "LOCAL VOLUMES",
		Mounts: "MOUNTS",
		Networks: "NETWORKS",
		Size: "SIZE",
		State: "STATE"
	};
	ZERO_TIME = "0001-01-01T00:00:00Z";
}));
// src/main/engine/container/filters.ts
function matches$1(images, c, key, value) {
	switch (key) {
		case "name": return c.name.includes(value.replace(/^\//, ""));
		case "id": return c.id.startsWith(value);
		case "status":
			if (!STATES.has(value)) throw new StrataError("invalid", `invalid filter 'status=${value}'`);
			return c.state === value;
		case "ancestor": return c.image === value || images.tryResolve(value) === c.imageId;
		case "label": {
			const eq = value.indexOf("=");
			const labels = c.config.Labels ?? {};
			return eq === -1 ? value in labels : labels[value.slice(0, eq)] === value.slice(eq + 1);
		}
		case "exited": return c.state === "exited" && String(c.exitCode) === value;
		default: throw new StrataError("invalid", `invalid filter '${key}'`);
	}
}
/** Refuses unknown keys and states up front, as moby does, even when there is nothing to filter. */
function checkContainerFilters(filters) {
	for (const [key, values] of Object.entries(filters)) {
		if (!KEYS.has(key)) throw new StrataError("invalid", `invalid filter '${key}'`);
		for (const v of key === "status" ? values : []) if (!STATES.has(v)) throw new StrataError("invalid", `invalid filter 'status=${v}'`);
	}
}
/** Whether a container passes every filter (key → values). */
function matchesContainerFilters(images, c, filters) {
	return Object.entries(filters).every(([key, values]) => key === "label" ? values.every((v) => matches$1(images, c, key, v)) : values.some((v) => matches$1(images, c, key, v)));
}
var STATES, KEYS;
var init_filters = __esmMin((() => {
	init_errors$2();
	STATES = /* @__PURE__ */ new Set([
		"created",
		"restarting",
		"running",
		"removing",
		"paused",
		"exited",
		"dead"
	]);
	KEYS = /* @__PURE__ */ new Set([
		"name",
		"id",
		"status",
		"ancestor",
		"label",
		"exited"
	]);
}));
// src/main/cli/commands/container-view.ts
init_container_service();
init_formatter();
init_template();
init_container_format();
init_filters();
const psCommand = {
	path: ["ps"],
	aliases: [
		["container", "ls"],
		["container", "list"],
		["container", "ps"]
	],
	usage: "strata ps [OPTIONS]",
	description: "List containers",
	flags: [
		{
			name: "size",
			short: "s",
			type: "bool",
			description: "Display total file sizes (against an Engine API provider)"
		},
		{
			name: "all",
			short: "a",
			type: "bool",
			description: "Show all containers (default shows just running)"
		},
		{
			name: "quiet",
			short: "q",
			type: "bool",
			description: "Only display container IDs"
		},
		{
			name: "no-trunc",
			type: "bool",
			description: "Don't truncate output"
		},
		{
			name: "format",
			type: "string",
			description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'"
		},
		{
			name: "filter",
			short: "f",
			type: "strings",
			value: "filter",
			description: "Filter output based on conditions provided"
		},
		{
			name: "last",
			short: "n",
			type: "string",
			description: "Show n last created containers (includes all states)"
		},
		{
			name: "latest",
			short: "l",
			type: "bool",
			description: "Show the latest created container (includes all states)"
		}
	],
	maxArgs: 0,
	async run(ctx) {
		const engine = ctx.engine();
		const now = Date.now();
		const trunc = !flagBool(ctx, "no-trunc");
		const filters = {};
		for (const f of flagStrings(ctx, "filter")) {
			const eq = f.indexOf("=");
			if (eq <= 0) throw new UsageError(`invalid filter '${f}'`);
			(filters[f.slice(0, eq)] ??= []).push(f.slice(eq + 1));
		}
		checkContainerFilters(filters);
		const last = flagBool(ctx, "latest") ? 1 : Number(flagString(ctx, "last") ?? "-1");
		const all = flagBool(ctx, "all") || last > 0 || filters.status !== void 0;
		let list = engine.containers.list({ all }).filter((c) => matchesContainerFilters(engine.images, c, filters));
		if (last > 0) list = list.slice(0, last);
		const rows = list.map((c) => psRow(engine, c, now, trunc));
		let format = flagString(ctx, "format") ?? "table {{.ID}}	{{.Image}}	{{.Command}}	{{.RunningFor}}	{{.Status}}	{{.Ports}}	{{.Names}}";
		if (flagBool(ctx, "quiet")) format = "{{.ID}}";
		ctx.stdout.write(renderRows(format, rows, PS_HEADER));
	}
};
const logsCommand = {
	path: ["logs"],
	aliases: [["container", "logs"]],
	usage: "strata logs [OPTIONS] CONTAINER",
	description: "Fetch the logs of a container",
	flags: [
		{
			name: "follow",
			short: "f",
			type: "bool",
			description: "Follow log output"
		},
		{
			name: "timestamps",
			short: "t",
			type: "bool",
			description: "Show timestamps"
		},
		{
			name: "tail",
			short: "n",
			type: "string",
			description: "Number of lines to show from the end of the logs (default \"all\")"
		}
	],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		const id = engine.containers.get(ctx.args[0]).id;
		const tail = flagString(ctx, "tail");
		const stamps = flagBool(ctx, "timestamps");
		let entries = engine.containers.logs(id);
		let shown = tail === void 0 || tail === "all" ? 0 : Math.max(0, entries.length - Number(tail));
		for (;;) {
			entries = engine.containers.logs(id);
			for (const e of entries.slice(shown)) (e.stream === "stderr" ? ctx.stderr : ctx.stdout).write(stamps ? `${e.time} ${e.text}` : e.text);
			shown = entries.length;
			if (!flagBool(ctx, "follow") || engine.containers.get(id).state !== "running" || ctx.signal.aborted) break;
			await new Promise((r) => setTimeout(r, 200));
		}
	}
};
const diffCommand = {
	path: ["diff"],
	aliases: [["container", "diff"]],
	usage: "strata diff CONTAINER",
	description: "Inspect changes to files or directories on a container's filesystem",
	flags: [],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		for (const c of await ctx.engine().containers.changes(ctx.args[0])) ctx.stdout.write(`${c.kind} ${c.path}\n`);
	}
};
const containerInspectCommand = {
	path: ["container", "inspect"],
	usage: "strata container inspect [OPTIONS] CONTAINER [CONTAINER...]",
	description: "Display detailed information on one or more containers",
	flags: [{
		name: "format",
		short: "f",
		type: "string",
		description: "Format output using a custom template: 'json', 'TEMPLATE'"
	}],
	minArgs: 1,
	async run(ctx) {
		const engine = ctx.engine();
		const found = [];
		const missing = [];
		for (const ref of ctx.args) try {
			found.push(inspectContainer(engine, ref));
		} catch (err) {
			if (!(err instanceof NoSuchContainerError)) throw err;
			missing.push(ref);
		}
		const format = flagString(ctx, "format");
		if (format === void 0 || format === "" || format === "json") ctx.stdout.write(`${goEscape(JSON.stringify(found, null, 4))}\n`);
		else {
			const tmpl = compile(format);
			for (const obj of found) ctx.stdout.write(`${tmpl.execute(obj)}\n`);
		}
		for (const ref of missing) ctx.stderr.write(`Error: No such container: ${ref}\n`);
		return missing.length > 0 ? 1 : 0;
	}
};
// src/main/engine/container/export.ts
/** Errors that mean a running container removed or replaced the entry since it was listed. */
function vanished$1(err) {
	const code = err.code;
	return code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP" || code === "EISDIR" || code === "not-found" || code === "invalid";
}
/**
* `export`: the container's merged filesystem as one flat tar (no whiteouts), streamed entry by
* entry in sorted order. The container may be running: a file or directory it removes or
* replaces meanwhile is skipped (as docker's archiver does), a file's header and body come from
* its opened descriptor, and nothing is ever read through a link on the host. Like docker's
* export, a second name of the same file (a hard link still one inode on disk) is written as a
* link to the first name, not as another copy.
*/
function exportRootfs(view) {
	return archiveTree(view, "/", "");
}
/**
* `GET /containers/{id}/archive` and `cp CONTAINER:PATH -`: the entry at `path` (a directory with
* everything below it) as a tar whose names start with the entry's base name, as docker's
* archiver writes it; the same rules as `export` for a running container.
*/
function archivePath(view, path) {
	const entry = view.stat(path);
	if (!entry) throw new StrataError("not-found", `Could not find the file ${path} in container`);
	const base = posix.basename(entry.path) || ".";
	return archiveTree(view, entry.path, base, entry);
}
/** The tar of `from` (its children when `top` is undefined), each name `prefix` + the path below `from`. */
function archiveTree(view, from, prefix, top) {
	const pack = tar.pack();
	const out = new PassThrough();
	pack.on("error", (err) => out.destroy(err));
	pack.pipe(out);
	const add = (header, body) => new Promise((resolve, reject) => {
		const w = pack.entry(header, (err) => err ? reject(err) : resolve());
		body?.on("error", reject).pipe(w);
	});
	const nameOf = (p) => {
		const below = from === "/" ? p.slice(1) : p.slice(from.length + 1);
		return prefix && below ? `${prefix}/${below}` : prefix || below;
	};
	const headerOf = (e) => ({
		name: e.type === "dir" ? `${nameOf(e.path)}/` : nameOf(e.path),
		mode: e.mode,
		uid: e.uid,
		gid: e.gid,
		mtime: /* @__PURE__ */ new Date(e.mtime * 1e3)
	});
	const linked = /* @__PURE__ */ new Map();
	const addFile = async (e) => {
		let file;
		try {
			file = view.openFile(e.path, { literal: true });
		} catch (err) {
			if (vanished$1(err)) return;
			throw err;
		}
		const { fd, stat } = file;
		const header = {
			...headerOf(e),
			mode: stat.mode & 4095,
			uid: stat.uid,
			gid: stat.gid,
			mtime: stat.mtime,
			size: stat.size
		};
		const inode = `${stat.dev}:${stat.ino}`;
		const first = stat.nlink > 1 ? linked.get(inode) : void 0;
		if (first !== void 0) {
			closeSync(fd);
			await add({
				...header,
				size: 0,
				type: "link",
				linkname: first
			});
			return;
		}
		if (stat.nlink > 1) linked.set(inode, header.name);
		await add({
			...header,
			type: "file"
		}, fixedSizeStream(fd, stat.size));
	};
	const addEntry = async (e) => {
		if (e.type === "file") await addFile(e);
		else if (e.type === "dir") await add({
			...headerOf(e),
			type: "directory"
		});
		else if (e.type === "symlink") await add({
			...headerOf(e),
			type: "symlink",
			linkname: e.linkTarget
		});
		else if (e.type === "fifo") await add({
			...headerOf(e),
			type: "fifo"
		});
	};
	const walk = async (path, isTop) => {
		let entries;
		try {
			entries = view.list(path, { literal: true });
		} catch (err) {
			if (!isTop && vanished$1(err)) return;
			throw err;
		}
		for (const e of entries) {
			await addEntry(e);
			if (e.type === "dir") await walk(e.path, false);
		}
	};
	const run = async () => {
		if (top) await addEntry(top);
		if (!top || top.type === "dir") await walk(from, true);
	};
	run().then(() => pack.finalize(), (err) => out.destroy(err));
	return out;
}
var init_export = __esmMin((() => {
	init_safe_path();
	init_errors$2();
}));
// src/main/engine/container/copy.ts
/** Errors that mean a running container removed or replaced an entry since it was listed. */
function vanished(err) {
	const code = err.code;
	return code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP" || code === "EISDIR" || code === "not-found" || code === "invalid";
}
/**
* `cp CONTAINER:SRC DEST`: files, directories and symlinks out of the container; returns bytes
* copied. Below SRC the walk follows no link at all, files are read through their opened
* descriptor, and an entry a running container removes or replaces meanwhile is skipped.
*/
async function copyOut(view, src, dest) {
	const entry = view.stat(src);
	if (!entry) throw new StrataError("not-found", `Could not find the file ${src} in container`);
	const target = (() => {
		try {
			return statSync(dest).isDirectory();
		} catch {
			return false;
		}
	})() ? join(dest, posix.basename(entry.path) || "root") : dest;
	let bytes = 0;
	const copyFile = async (from, to) => {
		let file;
		try {
			file = view.openFile(from, { literal: true });
		} catch (err) {
			if (vanished(err)) return;
			throw err;
		}
		const mode = file.stat.mode & 4095;
		const out = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode);
		fchmodSync(out, mode);
		await pipeline(createReadStream("", { fd: file.fd }), createWriteStream("", { fd: out }));
		bytes += file.stat.size;
	};
	const copy = async (e, to) => {
		if (e.type === "dir") {
			mkdirSync(to, { recursive: true });
			let children = [];
			try {
				children = view.list(e.path, { literal: true });
			} catch (err) {
				if (!vanished(err)) throw err;
			}
			for (const child of children) await copy(child, join(to, child.name));
			chmodSync(to, e.mode);
		} else if (e.type === "symlink") symlinkSync(e.linkTarget, to);
		else if (e.type === "file") await copyFile(e.path, to);
	};
	await copy(entry, target);
	return bytes;
}
/** `cp SRC CONTAINER:DEST`: host files and directories into the container's writable layer. */
function copyIn(view, src, dest) {
	const existing = view.stat(dest);
	const target = existing?.type === "dir" ? posix.join(existing.path, basename(src)) : dest;
	let bytes = 0;
	const copy = (from, to) => {
		const st = lstatSync(from);
		if (st.isDirectory()) {
			view.mkdir(to, st.mode & 4095);
			for (const name of readdirSync(from)) copy(join(from, name), posix.join(to, name));
		} else if (st.isSymbolicLink()) view.symlink(to, readlinkSync(from));
		else if (st.isFile()) {
			view.copyIn(to, from, st.mode);
			bytes += st.size;
		}
	};
	copy(src, target);
	return bytes;
}
/**
* `cp CONTAINER:SRC -`: SRC as a tar stream, its entries named from SRC's base name down
* (`in/`, `in/hello.txt`) as docker's archive does. Like copyOut, below SRC no link is followed,
* each file is read through its opened descriptor (its size from that descriptor's stat), and
* what a running container removes meanwhile is left out. Device nodes and sockets are left out
* as `cp` leaves them out.
*/
function archiveOut(view, src) {
	const entry = view.stat(src);
	if (!entry) throw new StrataError("not-found", `Could not find the file ${src} in container`);
	const pack = tar.pack();
	const out = new PassThrough();
	pack.pipe(out);
	const put = (header, body) => new Promise((resolve, reject) => {
		const w = pack.entry(header, (err) => err ? reject(err) : resolve());
		body?.on("error", reject).pipe(w);
	});
	const add = async (e, name) => {
		const header = {
			name,
			mode: e.mode & 4095,
			uid: e.uid,
			gid: e.gid,
			mtime: /* @__PURE__ */ new Date(e.mtime * 1e3)
		};
		if (e.type === "dir") {
			await put({
				...header,
				name: `${name}/`,
				type: "directory"
			});
			let children = [];
			try {
				children = view.list(e.path, { literal: true });
			} catch (err) {
				if (!vanished(err)) throw err;
			}
			for (const child of children) await add(child, `${name}/${child.name}`);
		} else if (e.type === "symlink") await put({
			...header,
			type: "symlink",
			linkname: e.linkTarget
		});
		else if (e.type === "file") {
			let file;
			try {
				file = view.openFile(e.path, { literal: true });
			} catch (err) {
				if (vanished(err)) return;
				throw err;
			}
			await put({
				...header,
				type: "file",
				size: file.stat.size
			}, fixedSizeStream(file.fd, file.stat.size));
		}
	};
	add(entry, posix.basename(entry.path) || ".").then(() => pack.finalize(), (err) => out.destroy(err));
	return out;
}
/**
* `cp - CONTAINER:DEST`: extracts a tar stream into the directory DEST of the container's
* writable layer; returns the bytes of file content written. Entry names are cleaned (no
* absolute paths, no `..`); every path, link targets included, resolves inside the rootfs.
*/
async function extractIn(view, source, dest, container) {
	const dir = view.stat(dest);
	if (dir?.type !== "dir") throw new StrataError("invalid", `destination "${container}:${dest}" must be a directory`);
	const scratch = mkdtempSync(join(tmpdir(), "strata-cp-"));
	const extract = tar.extract();
	const done = pipeline(source, extract);
	let bytes = 0;
	try {
		for await (const item of extract) {
			const h = item.header;
			const rel = cleanEntryPath(h.name);
			const to = posix.join(dir.path, rel);
			if (rel === "" || h.type === "directory") {
				if (rel !== "") view.mkdir(to, (h.mode ?? 493) & 4095);
				item.resume();
			} else if (h.type === "symlink") {
				view.symlink(to, h.linkname ?? "");
				item.resume();
			} else if (h.type === "file" || h.type === "contiguous-file") bytes += await writeEntry(view, item, to, (h.mode ?? 420) & 4095, scratch);
			else if (h.type === "link") {
				const from = posix.join(dir.path, cleanEntryPath(h.linkname ?? ""));
				const target = view.stat(from);
				if (target?.type !== "file") throw new StrataError("data-loss", `hard link ${h.name} points at ${h.linkname}, which is not a file in the archive`);
				bytes += await writeEntry(view, view.read(from), to, target.mode & 4095, scratch);
				item.resume();
			} else item.resume();
		}
		await done;
	} catch (err) {
		extract.destroy();
		await done.catch(() => {});
		throw err;
	} finally {
		removeTree(scratch);
	}
	return bytes;
}
/** One file's content into the container: through a private temp file (O_EXCL), then copied up. */
async function writeEntry(view, content, to, mode, scratch) {
	const tmp = join(scratch, "entry");
	await pipeline(content, createWriteStream(tmp, {
		flags: "wx",
		mode: 384
	}));
	const size = statSync(tmp).size;
	view.copyIn(to, tmp, mode);
	removeTree(tmp);
	return size;
}
var init_copy = __esmMin((() => {
	init_rootfs();
	init_safe_path();
	init_tar_safety();
	init_errors$2();
}));
// src/main/cli/commands/container-files.ts
/** `commit`, `export` and `cp`: a container's filesystem into an image, a tar, or the host (and back). */
init_commit();
init_export();
init_copy();
init_units();
init_errors$2();
const commitCommand = {
	path: ["commit"],
	aliases: [["container", "commit"]],
	usage: "strata commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
	description: "Create a new image from a container's changes",
	flags: [
		{
			name: "author",
			short: "a",
			type: "string",
			description: "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"
		},
		{
			name: "change",
			short: "c",
			type: "strings",
			value: "list",
			description: "Apply Dockerfile instruction to the created image"
		},
		{
			name: "message",
			short: "m",
			type: "string",
			description: "Commit message"
		},
		{
			name: "pause",
			short: "p",
			type: "bool",
			description: "Pause container during commit (default true)"
		}
	],
	minArgs: 1,
	maxArgs: 2,
	async run(ctx) {
		const pause = ctx.flags.pause;
		const img = await commitContainer(ctx.engine(), ctx.args[0], {
			changes: flagStrings(ctx, "change"),
			...ctx.args[1] ? { reference: ctx.args[1] } : {},
			...flagString(ctx, "message") !== void 0 ? { message: flagString(ctx, "message") } : {},
			...flagString(ctx, "author") !== void 0 ? { author: flagString(ctx, "author") } : {},
			pause: pause === void 0 ? true : pause === true
		});
		ctx.stdout.write(`${img.id}\n`);
	}
};
const exportCommand = {
	path: ["export"],
	aliases: [["container", "export"]],
	usage: "strata export [OPTIONS] CONTAINER",
	description: "Export a container's filesystem as a tar archive",
	flags: [{
		name: "output",
		short: "o",
		type: "string",
		description: "Write to a file, instead of STDOUT"
	}],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const out = flagString(ctx, "output");
		if (!out && ctx.stdout.isTTY) throw new StrataError("invalid", "cowardly refusing to save to a terminal. Use the -o flag or redirect");
		const view = await ctx.engine().containers.rootfs(ctx.args[0]);
		await pipeline(exportRootfs(view), out ? createWriteStream(out) : ctx.stdout);
	}
};
/** `NAME:PATH` names a container path; anything else (or a path starting with / or .) is the host. */
function containerPath(arg) {
	if (arg.startsWith("/") || arg.startsWith(".")) return void 0;
	const colon = arg.indexOf(":");
	return colon > 0 ? {
		container: arg.slice(0, colon),
		path: arg.slice(colon + 1) || "/"
	} : void 0;
}
// src/main/cli/commands/container.ts
const CONTAINER_COMMANDS = [
	containerPruneCommand,
	containerInspectCommand,
	waitCommand,
	{
		path: ["cp"],
		aliases: [["container", "cp"]],
		usage: "strata cp CONTAINER:SRC_PATH DEST_PATH|-\n        strata cp SRC_PATH|- CONTAINER:DEST_PATH",
		description: "Copy files/folders between a container and the local filesystem",
		flags: [],
		minArgs: 2,
		maxArgs: 2,
		async run(ctx) {
			const [a, b] = ctx.args;
			const from = containerPath(a);
			const to = containerPath(b);
			if (from && to || !from && !to) throw new UsageError("copying between containers is not supported; exactly one of SRC and DEST must be CONTAINER:PATH");
			const engine = ctx.engine();
			if (from) {
				const view = await engine.containers.rootfs(from.container);
				if (b === "-") return void await pipeline(archiveOut(view, from.path), ctx.stdout, { end: false });
				const bytes = await copyOut(view, from.path, b);
				ctx.stderr.write(`Successfully copied ${humanSize(bytes)} to ${b}\n`);
			} else {
				const view = await engine.containers.rootfs(to.container);
				const bytes = a === "-" ? await extractIn(view, ctx.stdin, to.path, to.container) : copyIn(view, a, to.path);
				ctx.stderr.write(`Successfully copied ${humanSize(bytes)} to ${b}\n`);
			}
		}
	},
	runCommand,
	createCommand,
	startCommand,
	stopCommand,
	killCommand,
	rmCommand,
	psCommand,
	logsCommand,
	diffCommand,
	commitCommand,
	exportCommand,
	execCommand
];
// src/main/providers/engine-api/endpoint.ts
/**
* TLS the way the docker CLI decides it for a plain host: DOCKER_TLS_VERIFY (verify the server) or
* DOCKER_TLS, certificates from DOCKER_CERT_PATH (default ~/.docker).
*/
function tlsFromEnv(env = process.env) {
	const verify = Boolean(env.DOCKER_TLS_VERIFY);
	if (!verify && !env.DOCKER_TLS) return void 0;
	return {
		...readPems(env.DOCKER_CERT_PATH || join(env.HOME ?? homedir(), ".docker")),
		verify
	};
}
/** ca.pem, cert.pem and key.pem of a directory, those that exist. */
function readPems(dir) {
	const out = {};
	for (const name of [
		"ca",
		"cert",
		"key"
	]) {
		const file = join(dir, `${name}.pem`);
		if (existsSync(file)) out[name] = readFileSync(file, "utf8");
	}
	return out;
}
/** dockerode/docker-modem options for an endpoint; throws 'invalid' for a URL docker would refuse too. */
function modemOptions(endpoint, env = process.env) {
	let url;
	try {
		url = new URL(endpoint.host);
	} catch {
		throw new StrataError("invalid", `unable to parse docker host \`${endpoint.host}\``);
	}
	switch (url.protocol) {
		case "unix:": {
			const socketPath = decodeURIComponent(url.pathname);
			if (!socketPath) throw new StrataError("invalid", `unable to parse docker host \`${endpoint.host}\``);
			return { socketPath };
		}
		case "tcp:":
		case "http:":
		case "https:": {
			const tls = endpoint.tls ?? (url.protocol === "https:" ? { verify: true } : void 0);
			const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
			const base = {
				host: url.hostname.replace(/^\[|\]$/g, ""),
				port,
				protocol: tls ? "https" : "http"
			};
			if (!tls) return base;
			return {
				...base,
				...tls.ca ? { ca: tls.ca } : {},
				...tls.cert ? { cert: tls.cert } : {},
				...tls.key ? { key: tls.key } : {},
				...tls.verify ? {} : { checkServerIdentity: () => void 0 }
			};
		}
		case "ssh:": {
			const sshOptions = {};
			if (env.SSH_AUTH_SOCK) sshOptions.agent = env.SSH_AUTH_SOCK;
			else {
				const key = [
					"id_ed25519",
					"id_ecdsa",
					"id_rsa"
				].map((k) => join(env.HOME ?? homedir(), ".ssh", k)).find((p) => existsSync(p));
				if (key) sshOptions.privateKey = readFileSync(key);
			}
			return {
				protocol: "ssh",
				host: url.hostname,
				port: url.port ? Number(url.port) : 22,
				...url.username ? { username: decodeURIComponent(url.username) } : {},
				sshOptions
			};
		}
		default: throw new StrataError("unsupported", `unsupported docker host protocol "${url.protocol.replace(/:$/, "")}" (use unix://, tcp:// or ssh://)`);
	}
}
var init_endpoint = __esmMin((() => {
	init_errors$2();
}));
// src/main/providers/contexts.ts
init_errors$2();
init_credentials();
init_endpoint();
/**
* Docker's context store, read and written in docker's own format so `docker context ls` and
* `strata context ls` see the same contexts: `$DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json`
* ({Name, Metadata, Endpoints.docker.{Host, SkipTLSVerify}}) and TLS files under
* `contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem`.
*
* Which context Strata uses is Strata's own choice (`strata context use`, kept in Strata's config
* file), not docker's `currentContext`: Strata's default is its own store, and switching Strata must
* not switch the docker CLI.
*/
/** The context that means Strata's own store. */
const DEFAULT_CONTEXT = "default";
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;
function contextDir(name, env) {
	return join(dockerConfigDir(env), "contexts", "meta", createHash("sha256").update(name).digest("hex"));
}
function tlsDir(name, env) {
	return join(dockerConfigDir(env), "contexts", "tls", createHash("sha256").update(name).digest("hex"), "docker");
}
function parseMeta(text) {
	try {
		const m = JSON.parse(text);
		if (typeof m.Name !== "string") return void 0;
		return {
			name: m.Name,
			description: m.Metadata?.Description ?? "",
			host: m.Endpoints?.docker?.Host ?? "",
			skipTlsVerify: m.Endpoints?.docker?.SkipTLSVerify ?? false
		};
	} catch {
		return;
	}
}
/** Every context in docker's store, sorted by name (unreadable meta files are skipped, as docker does). */
function listContexts(env = process.env) {
	const dir = join(dockerConfigDir(env), "contexts", "meta");
	if (!existsSync(dir)) return [];
	const out = [];
	for (const d of readdirSync(dir)) {
		const file = join(dir, d, "meta.json");
		if (!existsSync(file)) continue;
		const ctx = parseMeta(readFileSync(file, "utf8"));
		if (ctx) out.push(ctx);
	}
	return out.sort((a, b) => a.name.localeCompare(b.name));
}
function getContext(name, env = process.env) {
	const file = join(contextDir(name, env), "meta.json");
	const ctx = existsSync(file) ? parseMeta(readFileSync(file, "utf8")) : void 0;
	if (!ctx) throw new StrataError("not-found", `context "${name}" does not exist`);
	return ctx;
}
/** The context's endpoint with its TLS material, as the docker CLI would dial it. */
function contextEndpoint(ctx, env = process.env) {
	const pems = readPems(tlsDir(ctx.name, env));
	const hasTls = Boolean(pems.ca || pems.cert || pems.key) || ctx.skipTlsVerify;
	return {
		host: ctx.host,
		...hasTls ? { tls: {
			...pems,
			verify: !ctx.skipTlsVerify
		} } : {}
	};
}
/** `docker context create NAME --description D --docker host=URL[,skip-tls-verify=true]`. */
function createContext(ctx, env = process.env) {
	if (ctx.name === "default") throw new StrataError("invalid", "\"default\" is a reserved context name");
	if (!NAME.test(ctx.name)) throw new StrataError("invalid", `context name "${ctx.name}" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"`);
	const dir = contextDir(ctx.name, env);
	if (existsSync(join(dir, "meta.json"))) throw new StrataError("already-exists", `context "${ctx.name}" already exists`);
	const meta = {
		Name: ctx.name,
		Metadata: { Description: ctx.description },
		Endpoints: { docker: {
			Host: ctx.host,
			SkipTLSVerify: ctx.skipTlsVerify
		} }
	};
	mkdirSync(dir, {
		recursive: true,
		mode: 493
	});
	const tmp = join(dir, `.meta.json.${process.pid}`);
	writeFileSync(tmp, JSON.stringify(meta), { mode: 420 });
	renameSync(tmp, join(dir, "meta.json"));
}
/** Strata's own settings file: `$XDG_CONFIG_HOME/strata/config.json`. */
function strataConfigFile(env = process.env) {
	return join(env.XDG_CONFIG_HOME || join(env.HOME ?? homedir(), ".config"), "strata", "config.json");
}
function readStrataConfig(env) {
	try {
		const v = JSON.parse(readFileSync(strataConfigFile(env), "utf8"));
		return v && typeof v === "object" ? v : {};
	} catch {
		return {};
	}
}
/** The context Strata uses when no flag names one: STRATA_CONTEXT, then `strata context use`'s choice. */
function currentContext(env = process.env) {
	if (env.STRATA_CONTEXT) return env.STRATA_CONTEXT;
	const v = readStrataConfig(env).currentContext;
	return typeof v === "string" && v ? v : DEFAULT_CONTEXT;
}
function useContext(name, env = process.env) {
	if (name !== "default") getContext(name, env);
	const file = strataConfigFile(env);
	const config = readStrataConfig(env);
	config.currentContext = name;
	mkdirSync(dirname(file), { recursive: true });
	const tmp = `${file}.${process.pid}`;
	writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 384 });
	renameSync(tmp, file);
}
// src/main/cli/commands/context.ts
init_formatter();
init_template();
/**
* `strata context ls|use|inspect|create` over docker's context store (providers/contexts.ts): the
* contexts `docker context create` made are Strata's too, and the other way round. The "default"
* context is Strata's own store.
*/
const CONTEXT_HEADER = {
	Name: "NAME",
	Description: "DESCRIPTION",
	DockerEndpoint: "DOCKER ENDPOINT",
	Current: "CURRENT",
	Error: "ERROR"
};
const contextLsCommand = {
	path: ["context", "ls"],
	aliases: [["context", "list"]],
	usage: "strata context ls [OPTIONS]",
	description: "List contexts (docker's, plus \"default\": the Strata store)",
	flags: [{
		name: "format",
		type: "string",
		description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'"
	}, {
		name: "quiet",
		short: "q",
		type: "bool",
		description: "Only show context names"
	}],
	maxArgs: 0,
	async run(ctx) {
		const current = currentContext();
		const rows = [{
			name: DEFAULT_CONTEXT,
			description: "Strata's own store",
			host: `strata://${ctx.root}`
		}, ...listContexts().map((c) => ({
			name: c.name,
			description: c.description,
			host: c.host
		}))].map((c) => sortedKeys({
			Current: c.name === current,
			Description: c.description,
			DockerEndpoint: c.host,
			Error: "",
			Name: c.name === current && ctx.flags.format === void 0 ? `${c.name} *` : c.name
		}));
		const format = ctx.flags.quiet ? "{{.Name}}" : flagString(ctx, "format") ?? "table {{.Name}}	{{.Description}}	{{.DockerEndpoint}}";
		ctx.stdout.write(renderRows(format, ctx.flags.quiet ? rows.map((r) => ({
			...r,
			Name: r.Name.replace(/ \*$/, "")
		})) : rows, CONTEXT_HEADER));
	}
};
const contextUseCommand = {
	path: ["context", "use"],
	usage: "strata context use CONTEXT",
	description: "Set the current context (Strata's choice only: the docker CLI keeps its own)",
	flags: [],
	minArgs: 1,
	maxArgs: 1,
	async run(ctx) {
		const name = ctx.args[0];
		useContext(name);
		ctx.stdout.write(`${name}\n`);
		ctx.stderr.write(`Current context is now "${name}"\n`);
	}
};
const contextInspectCommand = {
	path: ["context", "inspect"],
	usage: "strata context inspect [OPTIONS] [CONTEXT] [CONTEXT...]",
	description: "Display detailed information on one or more contexts",
	flags: [{
		name: "format",
		short: "f",
		type: "string",
		description: "Format output using a custom template: 'json', 'TEMPLATE'"
	}],
	async run(ctx) {
		const found = (ctx.args.length ? ctx.args : [currentContext()]).map((name) => {
			if (name === "default") return {
				Name: DEFAULT_CONTEXT,
				Metadata: { Description: "Strata's own store" },
				Endpoints: { strata: { Root: ctx.root } }
			};
			const c = getContext(name);
			return {
				Name: c.name,
				Metadata: { Description: c.description },
				Endpoints: { docker: {
					Host: c.host,
					SkipTLSVerify: c.skipTlsVerify
				} }
			};
		});
		const format = flagString(ctx, "format");
		if (format === void 0 || format === "" || format === "json") ctx.stdout.write(`${goEscape(JSON.stringify(found, null, 4))}\n`);
		else for (const obj of found) ctx.stdout.write(`${compile(format).execute(obj)}\n`);
	}
};
/** `host=URL,skip-tls-verify=true` (docker's --docker value). */
function parseDockerEndpoint(spec) {
	let host = "";
	let skipTlsVerify = false;
	for (const part of spec.split(",")) {
		const eq = part.indexOf("=");
		const key = eq < 0 ? part : part.slice(0, eq);
		const value = eq < 0 ? "" : part.slice(eq + 1);
		if (key === "host") host = value;
		else if (key === "skip-tls-verify") skipTlsVerify = value === "true";
		else throw new UsageError(`unrecognized config key: ${key}`);
	}
	if (!host) throw new UsageError("--docker needs host=URL (unix://, tcp:// or ssh://)");
	return {
		host,
		skipTlsVerify
	};
}
const CONTEXT_COMMANDS = [
	contextLsCommand,
	contextUseCommand,
	contextInspectCommand,
	{
		path: ["context", "create"],
		usage: "strata context create [OPTIONS] CONTEXT",
		description: "Create a context (in docker's context store)",
		flags: [{
			name: "description",
			type: "string",
			description: "Description of the context"
		}, {
			name: "docker",
			type: "strings",
			value: "stringToString",
			description: "set the docker endpoint (host=unix:///…|tcp://…|ssh://user@host, skip-tls-verify=true)"
		}],
		minArgs: 1,
		maxArgs: 1,
		async run(ctx) {
			const specs = flagStrings(ctx, "docker");
			if (specs.length === 0) throw new UsageError("--docker host=URL is required");
			const endpoint = parseDockerEndpoint(specs.join(","));
			createContext({
				name: ctx.args[0],
				description: flagString(ctx, "description") ?? "",
				...endpoint
			});
			ctx.stdout.write(`${ctx.args[0]}\n`);
			ctx.stderr.write(`Successfully created context "${ctx.args[0]}"\n`);
		}
	}
];
// src/main/api-server/http.ts
function sendJson(res, status, body) {
	const text = `${JSON.stringify(body)}\n`;
	res.writeHead(status, {
		"Content-Type": "application/json",
		"Content-Length": Buffer.byteLength(text)
	});
	res.end(text);
}
function sendEmpty(res, status = 204) {
	res.writeHead(status);
	res.end();
}
/** The status docker gives an error of this class. */
function statusOf(err) {
	if (err instanceof ApiError) return err.status;
	const code = errorCode(err);
	if (code === "unsupported") return 400;
	if (code === "data-loss") return 400;
	return HTTP_STATUS[code];
}
function sendError(res, err) {
	const message = err instanceof Error ? err.message : String(err);
	if (res.headersSent) {
		res.end();
		return;
	}
	sendJson(res, statusOf(err), { message });
}
/** Reads a JSON body, bounded; an empty body is `undefined`. */
async function readJson(req) {
	const chunks = [];
	let size = 0;
	for await (const chunk of req) {
		size += chunk.length;
		if (size > MAX_JSON_BODY) throw new ApiError(413, "request body is too large");
		chunks.push(chunk);
	}
	const text = Buffer.concat(chunks).toString("utf8").trim();
	if (!text) return void 0;
	try {
		return JSON.parse(text);
	} catch (err) {
		throw new ApiError(400, `invalid JSON: ${err.message}`);
	}
}
/** docker's boolean query values: `1`, `true`, `True` are true; absent is the default. */
function boolParam(q, name, fallback = false) {
	const v = q.get(name);
	if (v === null || v === "") return fallback;
	return v === "1" || v.toLowerCase() === "true";
}
function intParam(q, name, fallback) {
	const v = q.get(name);
	if (v === null || v === "") return fallback;
	const n = Number(v);
	if (!Number.isFinite(n)) throw new ApiError(400, `invalid value for ${name}: ${v}`);
	return Math.trunc(n);
}
/**
* docker's `filters` query: JSON of name → [values] (or the legacy name → {value: true}). Returns
* name → values.
*/
function filtersParam(q) {
	const raw = q.get("filters");
	if (!raw) return {};
	let parsed;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw new ApiError(400, `invalid filter: ${raw}`);
	}
	if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new ApiError(400, `invalid filter: ${raw}`);
	const out = {};
	for (const [key, value] of Object.entries(parsed)) if (Array.isArray(value)) out[key] = value.map(String);
	else if (value && typeof value === "object") out[key] = Object.entries(value).filter(([, on]) => on === true).map(([k]) => k);
	else throw new ApiError(400, `invalid filter: ${raw}`);
	return out;
}
var MAX_JSON_BODY, ApiError;
var init_http = __esmMin((() => {
	init_errors$2();
	MAX_JSON_BODY = 4194304;
	ApiError = class extends StrataError {
		status;
		constructor(status, message, code = status === 404 ? "not-found" : status === 409 ? "conflict" : "invalid") {
			super(code, message);
			this.status = status;
		}
	};
}));
// src/main/api-server/router.ts
/** `/v1.41/images/json` → { version: 1.41, path: '/images/json' }. */
function splitVersion(pathname) {
	const m = /^\/v(\d+)\.(\d+)(\/.*)$/.exec(pathname);
	if (!m) return {
		version: MAX_API_VERSION$1,
		path: pathname
	};
	const version = Number(`${m[1]}.${m[2].padStart(2, "0")}`);
	if (version > 1.44) throw new ApiError(400, `client version ${m[1]}.${m[2]} is too new. Maximum supported API version is ${API_VERSION_TEXT}`);
	if (version < 1.24) throw new ApiError(400, `client version ${m[1]}.${m[2]} is too old. Minimum supported API version is ${MIN_API_VERSION_TEXT}, please upgrade your client to a newer version`);
	return {
		version: Math.max(version, MIN_API_VERSION$1),
		path: m[3]
	};
}
var MIN_API_VERSION$1, MAX_API_VERSION$1, MIN_API_VERSION_TEXT, API_VERSION_TEXT, Router;
var init_router = __esmMin((() => {
	init_http();
	MIN_API_VERSION$1 = 1.41;
	MAX_API_VERSION$1 = 1.44;
	MIN_API_VERSION_TEXT = "1.24";
	API_VERSION_TEXT = "1.44";
	Router = class {
		routes = [];
		add(routes) {
			this.routes.push(...routes);
			return this;
		}
		/** The handler and its path groups; a known path with another method is 405, an unknown one 404. */
		match(method, path) {
			let pathKnown = false;
			for (const [m, pattern, handler] of this.routes) {
				const hit = pattern.exec(path);
				if (!hit) continue;
				pathKnown = true;
				if (m === method || method === "HEAD" && m === "GET") return {
					handler,
					params: hit.slice(1).map((p) => p === void 0 ? p : decodeURIComponent(p))
				};
			}
			if (pathKnown) throw new ApiError(405, `method ${method} is not allowed on ${path}`);
			throw new ApiError(404, `page not found`);
		}
	};
}));
// src/main/api-server/images.ts
/** docker's ImageSummary for one listed image, fields gated by the API version. */
function imageSummary(img, version, withSharedSize) {
	const legacyNone = img.repoTags.length === 0 && img.repoDigests.length === 0 && version < 1.43;
	return {
		Containers: img.containers,
		Created: img.created,
		Id: img.id,
		Labels: Object.keys(img.labels).length > 0 ? img.labels : null,
		ParentId: img.parentId,
		RepoDigests: legacyNone ? ["<none>@<none>"] : img.repoDigests,
		RepoTags: legacyNone ? ["<none>:<none>"] : img.repoTags,
		SharedSize: withSharedSize ? img.sharedSize : -1,
		Size: img.size,
		...version < 1.44 ? { VirtualSize: img.size } : {}
	};
}
function listRoute$1(ctx) {
	const q = ctx.query;
	const filters = filtersParam(q);
	const legacy = q.get("filter");
	if (legacy) (filters.reference ??= []).push(legacy);
	const withShared = boolParam(q, "shared-size");
	const images = listImages$1(ctx.engine, {
		all: boolParam(q, "all"),
		filters,
		sharedSize: withShared
	});
	sendJson(ctx.res, 200, images.map((img) => imageSummary(img, ctx.version, withShared)));
}
function inspectRoute$1(ctx) {
	const body = { ...inspectImage(ctx.engine, ctx.params[0]) };
	if (ctx.version < 1.44) body.VirtualSize = body.Size;
	sendJson(ctx.res, 200, body);
}
function historyRoute(ctx) {
	const rows = imageHistory(ctx.engine, ctx.params[0]);
	sendJson(ctx.res, 200, rows.map((h) => ({
		Comment: h.comment,
		Created: h.created,
		CreatedBy: h.createdBy,
		Id: h.id,
		Size: h.size,
		Tags: h.tags.length > 0 ? h.tags : null
	})));
}
function tagRoute(ctx) {
	const repo = ctx.query.get("repo") ?? "";
	const tag = ctx.query.get("tag") ?? "";
	if (!repo) throw new ApiError(400, "repository name must have at least one component");
	const target = tag ? `${repo}:${tag}` : repo;
	ctx.engine.images.tag(ctx.params[0], target);
	ctx.res.writeHead(201);
	ctx.res.end();
}
async function removeRoute(ctx) {
	const items = removeImage(ctx.engine, ctx.params[0], {
		force: boolParam(ctx.query, "force"),
		noPrune: boolParam(ctx.query, "noprune")
	});
	await ctx.engine.gc.collect();
	sendJson(ctx.res, 200, items.map((i) => i.untagged ? { Untagged: i.untagged } : { Deleted: i.deleted }));
}
async function pruneRoute(ctx) {
	const filters = filtersParam(ctx.query);
	const all = (filters.dangling ?? []).some((v) => v === "false" || v === "0");
	delete filters.dangling;
	const result = await pruneImages(ctx.engine, {
		all,
		filters
	});
	sendJson(ctx.res, 200, {
		ImagesDeleted: result.deleted.length > 0 ? result.deleted.map((i) => i.untagged ? { Untagged: i.untagged } : { Deleted: i.deleted }) : null,
		SpaceReclaimed: result.spaceReclaimed
	});
}
async function saveRoute(ctx) {
	const names = ctx.params[0] !== void 0 ? [ctx.params[0]] : ctx.query.getAll("names");
	if (names.length === 0) throw new ApiError(400, "no images named");
	const selection = selectImages(ctx.engine, names);
	ctx.res.writeHead(200, { "Content-Type": "application/x-tar" });
	await saveImages(ctx.engine, selection, ctx.res, { signal: ctx.signal });
}
async function loadRoute(ctx) {
	const quiet = boolParam(ctx.query, "quiet");
	const result = await loadImages(ctx.engine, { stream: ctx.req }, { signal: ctx.signal });
	const lines = [...result.notes];
	for (const img of result.images) {
		if (img.repoTags.length === 0) lines.push(`Loaded image ID: ${img.id}`);
		for (const t of img.repoTags) lines.push(`Loaded image: ${t}`);
	}
	ctx.res.writeHead(200, { "Content-Type": quiet ? "application/json" : "application/json" });
	for (const line of lines) ctx.res.write(`${JSON.stringify({ stream: `${line}\n` })}\n`);
	ctx.res.end();
}
var imageRoutes;
var init_images = __esmMin((() => {
	init_list();
	init_inspect();
	init_history();
	init_prune();
	init_save();
	init_load();
	init_http();
	imageRoutes = [
		[
			"GET",
			/^\/images\/json$/,
			listRoute$1
		],
		[
			"GET",
			/^\/images\/get$/,
			saveRoute
		],
		[
			"POST",
			/^\/images\/load$/,
			loadRoute
		],
		[
			"POST",
			/^\/images\/prune$/,
			pruneRoute
		],
		[
			"GET",
			/^\/images\/(.+)\/json$/,
			inspectRoute$1
		],
		[
			"GET",
			/^\/images\/(.+)\/history$/,
			historyRoute
		],
		[
			"GET",
			/^\/images\/(.+)\/get$/,
			saveRoute
		],
		[
			"POST",
			/^\/images\/(.+)\/tag$/,
			tagRoute
		],
		[
			"DELETE",
			/^\/images\/(.+)$/,
			removeRoute
		]
	];
}));
// src/main/api-server/containers.ts
/** docker's ContainerSummary (`GET /containers/json`, and the containers of `/system/df`). */
function containerSummary(engine, c, now, withSize) {
	const sizeRw = withSize ? engine.containers.sizeRw(c.id) : 0;
	return {
		Id: c.id,
		Names: [`/${c.name}`],
		Image: c.image,
		ImageID: c.imageId,
		Command: containerArgs(c.config).join(" "),
		Created: Math.floor(c.created / 1e3),
		Ports: [],
		...withSize ? {
			SizeRw: sizeRw,
			SizeRootFs: sizeRw + (engine.images.get(c.imageId)?.size ?? 0)
		} : {},
		Labels: c.config.Labels ?? {},
		State: c.state,
		Status: statusText(c, now),
		HostConfig: { NetworkMode: c.config.Network },
		NetworkSettings: { Networks: {} },
		Mounts: []
	};
}
function listRoute(ctx) {
	const { engine, query } = ctx;
	const filters = filtersParam(query);
	checkContainerFilters(filters);
	const limit = intParam(query, "limit", -1);
	let rows = engine.containers.list({ all: boolParam(query, "all") || limit > 0 || Object.keys(filters).length > 0 });
	rows = rows.filter((c) => matchesContainerFilters(engine.images, c, filters));
	if (!boolParam(query, "all") && !filters.status && limit <= 0) rows = rows.filter((c) => c.state === "running");
	if (limit > 0) rows = rows.slice(0, limit);
	const now = Date.now();
	sendJson(ctx.res, 200, rows.map((c) => containerSummary(engine, c, now, boolParam(query, "size"))));
}
function inspectRoute(ctx) {
	const body = inspectContainer(ctx.engine, ctx.params[0]);
	body.HostConfig = {
		...body.HostConfig ?? {},
		LogConfig: {
			Type: "json-file",
			Config: {}
		}
	};
	if (boolParam(ctx.query, "size")) {
		const c = ctx.engine.containers.get(ctx.params[0]);
		const sizeRw = ctx.engine.containers.sizeRw(c.id);
		body.SizeRw = sizeRw;
		body.SizeRootFs = sizeRw + (ctx.engine.images.get(c.imageId)?.size ?? 0);
	}
	sendJson(ctx.res, 200, body);
}
async function changesRoute(ctx) {
	const changes = await ctx.engine.containers.changes(ctx.params[0]);
	sendJson(ctx.res, 200, changes.length > 0 ? changes.map((c) => ({
		Path: c.path,
		Kind: KIND[c.kind]
	})) : null);
}
var KIND, containerRoutes;
var init_containers = __esmMin((() => {
	init_config();
	init_filters();
	init_container_service();
	init_container_format();
	init_http();
	KIND = {
		A: 1,
		C: 0,
		D: 2
	};
	containerRoutes = [
		[
			"GET",
			/^\/containers\/json$/,
			listRoute
		],
		[
			"GET",
			/^\/containers\/([^/]+)\/json$/,
			inspectRoute
		],
		[
			"GET",
			/^\/containers\/([^/]+)\/changes$/,
			changesRoute
		]
	];
}));
// src/main/api-server/system.ts
/**
* The Engine API's system endpoints: `/_ping`, `/version`, `/info`, `/system/df`. Strata answers
* as a Docker-compatible engine; it never answers podman's `/libpod/…` paths.
*/
/** Go's GOARCH for Node's arch. */
function goArch(a = arch()) {
	return a === "x64" ? "amd64" : a === "ia32" ? "386" : a;
}
/** Headers every answer carries, as dockerd sends them. */
function serverHeaders(res) {
	res.setHeader("Server", `Strata/${STRATA_VERSION} (linux)`);
	res.setHeader("Api-Version", API_VERSION_TEXT);
	res.setHeader("Docker-Experimental", "false");
	res.setHeader("Ostype", "linux");
}
function ping$1(ctx) {
	const { res } = ctx;
	res.setHeader("Builder-Version", "1");
	res.setHeader("Cache-Control", "no-cache, no-store, must-revalidate");
	res.setHeader("Pragma", "no-cache");
	res.writeHead(200, {
		"Content-Type": "text/plain; charset=utf-8",
		"Content-Length": 2
	});
	res.end(ctx.req.method === "HEAD" ? void 0 : "OK");
}
function version(ctx) {
	const details = {
		ApiVersion: API_VERSION_TEXT,
		Arch: goArch(),
		BuildTime: "",
		Experimental: "false",
		GitCommit: "",
		GoVersion: "",
		KernelVersion: release(),
		MinAPIVersion: MIN_API_VERSION_TEXT,
		Os: "linux"
	};
	sendJson(ctx.res, 200, {
		Platform: { Name: "Strata" },
		Components: [{
			Name: "Engine",
			Version: STRATA_VERSION,
			Details: details
		}],
		Version: STRATA_VERSION,
		ApiVersion: API_VERSION_TEXT,
		MinAPIVersion: MIN_API_VERSION_TEXT,
		GitCommit: "",
		GoVersion: `node${process.versions.node}`,
		Os: "linux",
		Arch: goArch(),
		KernelVersion: release(),
		BuildTime: ""
	});
}
function info(ctx) {
	const containers = ctx.engine.containers.list({ all: true });
	const running = containers.filter((c) => c.state === "running").length;
	const images = ctx.engine.db.prepare("SELECT count(*) AS n FROM images").get().n;
	const rootless = process.getuid?.() !== 0;
	sendJson(ctx.res, 200, {
		ID: "",
		Containers: containers.length,
		ContainersRunning: running,
		ContainersPaused: 0,
		ContainersStopped: containers.length - running,
		Images: images,
		Driver: "overlay",
		DriverStatus: [["Backing Filesystem", "strata snapshots"]],
		Plugins: {
			Volume: [],
			Network: ["host", "none"],
			Authorization: null,
			Log: ["json-file"]
		},
		MemoryLimit: false,
		SwapLimit: false,
		CpuCfsPeriod: false,
		CpuCfsQuota: false,
		CPUShares: false,
		CPUSet: false,
		PidsLimit: false,
		IPv4Forwarding: false,
		BridgeNfIptables: false,
		BridgeNfIp6tables: false,
		Debug: false,
		NFd: 0,
		OomKillDisable: false,
		NGoroutines: 0,
		SystemTime: (/* @__PURE__ */ new Date()).toISOString(),
		LoggingDriver: "json-file",
		CgroupDriver: "none",
		CgroupVersion: "2",
		NEventsListener: 0,
		KernelVersion: release(),
		OperatingSystem: "Strata",
		OSVersion: "",
		OSType: "linux",
		Architecture: arch() === "x64" ? "x86_64" : arch(),
		IndexServerAddress: "https://index.docker.io/v1/",
		RegistryConfig: {
			AllowNondistributableArtifactsCIDRs: null,
			AllowNondistributableArtifactsHostnames: null,
			InsecureRegistryCIDRs: ["127.0.0.0/8"],
			IndexConfigs: {},
			Mirrors: null
		},
		NCPU: cpus().length,
		MemTotal: totalmem(),
		GenericResources: null,
		DockerRootDir: ctx.engine.root,
		HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? "",
		HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? "",
		NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? "",
		Name: hostname(),
		Labels: [],
		ExperimentalBuild: false,
		ServerVersion: STRATA_VERSION,
		Runtimes: { strata: { path: "bwrap" } },
		DefaultRuntime: "strata",
		Swarm: {
			NodeID: "",
			NodeAddr: "",
			LocalNodeState: "inactive",
			ControlAvailable: false,
			Error: "",
			RemoteManagers: null
		},
		LiveRestoreEnabled: false,
		Isolation: "",
		InitBinary: "",
		ContainerdCommit: {
			ID: "",
			Expected: ""
		},
		RuncCommit: {
			ID: "",
			Expected: ""
		},
		InitCommit: {
			ID: "",
			Expected: ""
		},
		SecurityOptions: ["name=seccomp,profile=builtin", ...rootless ? ["name=rootless"] : []],
		Warnings: null
	});
}
function systemDf$1(ctx) {
	const { engine, version } = ctx;
	const du = diskUsage(engine);
	const counts = new Map(du.images.map((i) => [i.id, i.containers]));
	const images = listImages$1(engine, { sharedSize: true }).map((img) => imageSummary({
		...img,
		containers: counts.get(img.id) ?? 0
	}, version, true));
	const now = Date.now();
	const containers = engine.containers.list({ all: true }).map((c) => containerSummary(engine, c, now, true));
	const goDate = (seconds) => (/* @__PURE__ */ new Date(seconds * 1e3)).toISOString();
	const buildCache = du.buildCache.map((b) => ({
		ID: b.id,
		...version < 1.42 ? { Parent: "" } : { Parents: null },
		Type: b.type,
		Description: b.description,
		InUse: b.inUse,
		Shared: b.shared,
		Size: b.size,
		CreatedAt: goDate(b.createdAt),
		LastUsedAt: b.lastUsedAt ? goDate(b.lastUsedAt) : null,
		UsageCount: b.usageCount
	}));
	sendJson(ctx.res, 200, {
		LayersSize: du.layersSize,
		Images: images,
		Containers: containers,
		Volumes: [],
		BuildCache: buildCache
	});
}
var STRATA_VERSION, systemRoutes;
var init_system = __esmMin((() => {
	init_disk_usage();
	init_list();
	init_http();
	init_router();
	init_images();
	init_containers();
	STRATA_VERSION = "0.1.0";
	systemRoutes = [
		[
			"GET",
			/^\/_ping$/,
			ping$1
		],
		[
			"GET",
			/^\/version$/,
			version
		],
		[
			"GET",
			/^\/info$/,
			info
		],
		[
			"GET",
			/^\/system\/df$/,
			systemDf$1
		]
	];
}));
// src/main/api-server/streams.ts
/** One frame of docker's multiplexed stream. */
function frame(kind, data) {
	const header = Buffer.alloc(8);
	header[0] = STREAM_IDS[kind];
	header.writeUInt32BE(data.length, 4);
	return Buffer.concat([header, data]);
}
function contentType(tty, version) {
	return tty || version < 1.42 ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
}
function streamOver(out, tty, input, closeSource) {
	let ended = false;
	return {
		send: (kind, data) => {
			if (!ended && data.length > 0) out.write(tty ? data : frame(kind, data));
		},
		end: () => {
			if (ended) return;
			ended = true;
			out.end();
		},
		input,
		onClose: (fn) => closeSource.once("close", fn)
	};
}
/** Answers an `Upgrade: tcp` request with docker's 101 and hands back the raw connection. */
function upgradedStream(socket, head, tty, version) {
	socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType(tty, version)}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
	if (head.length > 0) socket.unshift(head);
	socket.on("error", () => socket.destroy());
	return streamOver(socket, tty, socket, socket);
}
/** A plain POST: a 200 response carries the output; there is no stdin. */
function plainStream(req, res, tty, version) {
	res.writeHead(200, { "Content-Type": contentType(tty, version) });
	res.flushHeaders();
	req.resume();
	return streamOver(res, tty, void 0, res);
}
/** Reads exactly `length` bytes of a JSON body that precedes an upgrade (exec start). */
async function readUpgradeBody(socket, head, length) {
	let buf = head;
	while (buf.length < length) {
		const chunk = await new Promise((resolve) => {
			const onData = (c) => {
				socket.off("end", onEnd);
				resolve(c);
			};
			const onEnd = () => {
				socket.off("data", onData);
				resolve(null);
			};
			socket.once("data", onData);
			socket.once("end", onEnd);
		});
		if (!chunk) break;
		buf = Buffer.concat([buf, chunk]);
	}
	socket.pause();
	if (buf.length > length) socket.unshift(buf.subarray(length));
	return buf.subarray(0, length);
}
var STREAM_IDS;
var init_streams = __esmMin((() => {
	STREAM_IDS = {
		stdin: 0,
		stdout: 1,
		stderr: 2
	};
}));
// src/main/engine/network/networks.ts
/**
* Networks by name, as docker-compose and the Engine API expect to create and remove them. The
* sandbox has no bridge: a container on a user-defined network (like one on `bridge`) gets a
* private network namespace with its own loopback, so names on a network do not resolve to other
* containers yet. `host` and `none` are docker's predefined networks.
*/
function toNetwork(r) {
	return {
		id: r.id,
		name: r.name,
		driver: r.driver,
		labels: JSON.parse(r.labels),
		created: r.created,
		predefined: false
	};
}
var MIGRATIONS, PREDEFINED, Networks;
var init_networks$1 = __esmMin((() => {
	init_db();
	init_errors$2();
	MIGRATIONS = [`
  CREATE TABLE networks (
    id       TEXT PRIMARY KEY,          -- 64 hex digits
    name     TEXT NOT NULL UNIQUE,
    driver   TEXT NOT NULL,
    labels   TEXT NOT NULL DEFAULT '{}',-- JSON
    created  INTEGER NOT NULL           -- unix ms
  );`];
	PREDEFINED = [
		"bridge",
		"host",
		"none"
	].map((name) => ({
		id: Buffer.from(name.padEnd(32, "0")).toString("hex"),
		name,
		driver: name === "none" ? "null" : name,
		labels: {},
		created: 0,
		predefined: true
	}));
	Networks = class {
		db;
		constructor(db) {
			this.db = db;
			migrate(db, "networks", MIGRATIONS);
		}
		list() {
			const rows = this.db.prepare("SELECT * FROM networks ORDER BY created").all();
			return [...PREDEFINED, ...rows.map(toNetwork)];
		}
		/** By full name, full ID or unique ID prefix, as docker resolves networks. */
		get(ref) {
			const all = this.list();
			const exact = all.find((n) => n.name === ref || n.id === ref);
			if (exact) return exact;
			const byPrefix = all.filter((n) => n.id.startsWith(ref));
			if (byPrefix.length === 1) return byPrefix[0];
			throw new StrataError("not-found", `network ${ref} not found`, { details: { network: ref } });
		}
		create(name, driver = "bridge", labels = {}) {
			if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new StrataError("invalid", `invalid network name "${name}"`);
			if (driver !== "bridge") throw new StrataError("unsupported", `network driver "${driver}" is not supported: Strata networks are bridge networks`);
			if (this.list().some((n) => n.name === name)) throw new StrataError("conflict", `network with name ${name} already exists`);
			const id = randomBytes(32).toString("hex");
			this.db.prepare("INSERT INTO networks(id, name, driver, labels, created) VALUES (?, ?, ?, ?, ?)").run(id, name, driver, JSON.stringify(labels), Date.now());
			return this.get(id);
		}
		remove(ref) {
			const n = this.get(ref);
			if (n.predefined) throw new StrataError("permission-denied", `${n.name} is a pre-defined network and cannot be removed`);
			this.db.prepare("DELETE FROM networks WHERE id = ?").run(n.id);
		}
	};
}));
// src/main/api-server/networks.ts
/** docker's NetworkResource. */
function resource(n) {
	return {
		Name: n.name,
		Id: n.id,
		Created: new Date(n.created).toISOString(),
		Scope: "local",
		Driver: n.driver,
		EnableIPv6: false,
		IPAM: {
			Driver: "default",
			Options: null,
			Config: []
		},
		Internal: false,
		Attachable: false,
		Ingress: false,
		ConfigFrom: { Network: "" },
		ConfigOnly: false,
		Containers: {},
		Options: {},
		Labels: n.labels
	};
}
function matches(n, key, value) {
	switch (key) {
		case "name": return n.name.includes(value);
		case "id": return n.id.startsWith(value);
		case "driver": return n.driver === value;
		case "type": return value === (n.predefined ? "builtin" : "custom");
		case "label": {
			const eq = value.indexOf("=");
			return eq === -1 ? value in n.labels : n.labels[value.slice(0, eq)] === value.slice(eq + 1);
		}
		default: throw new ApiError(400, `invalid filter '${key}'`);
	}
}
function networkRoutes(engine) {
	const networks = new Networks(engine.db);
	const list = (ctx) => {
		let all = networks.list();
		for (const [key, values] of Object.entries(filtersParam(ctx.query))) all = all.filter((n) => values.some((v) => matches(n, key, v)));
		sendJson(ctx.res, 200, all.map(resource));
	};
	const create = async (ctx) => {
		const body = await readJson(ctx.req) ?? {};
		if (!body.Name) throw new ApiError(400, "network name is required");
		const n = networks.create(body.Name, body.Driver || "bridge", body.Labels ?? {});
		sendJson(ctx.res, 201, {
			Id: n.id,
			Warning: ""
		});
	};
	const connect = async (ctx) => {
		networks.get(ctx.params[0]);
		const body = await readJson(ctx.req) ?? {};
		engine.containers.get(body.Container ?? "");
		ctx.res.writeHead(200);
		ctx.res.end();
	};
	const prune = (ctx) => {
		const deleted = [];
		for (const n of networks.list()) {
			if (n.predefined) continue;
			networks.remove(n.id);
			deleted.push(n.name);
		}
		sendJson(ctx.res, 200, { NetworksDeleted: deleted });
	};
	return [
		[
			"GET",
			/^\/networks$/,
			list
		],
		[
			"POST",
			/^\/networks\/create$/,
			create
		],
		[
			"POST",
			/^\/networks\/prune$/,
			prune
		],
		[
			"GET",
			/^\/networks\/([^/]+)$/,
			(ctx) => sendJson(ctx.res, 200, resource(networks.get(ctx.params[0])))
		],
		[
			"DELETE",
			/^\/networks\/([^/]+)$/,
			(ctx) => (networks.remove(ctx.params[0]), sendEmpty(ctx.res))
		],
		[
			"POST",
			/^\/networks\/([^/]+)\/(?:connect|disconnect)$/,
			connect
		]
	];
}
/** Whether a container's NetworkMode names a network this store knows (user-defined or predefined). */
function knownNetwork(engine, mode) {
	try {
		new Networks(engine.db).get(mode);
		return true;
	} catch {
		return false;
	}
}
var init_networks = __esmMin((() => {
	init_networks$1();
	init_http();
}));
// src/main/api-server/lifecycle.ts
/**
* Containers over the Engine API: create, start, attach, wait, resize, stop, kill, restart,
* remove, logs, commit, export, and exec. Containers with an attached client run in this
* process (their output goes to the client's stream); the others start in the engine's detached
* monitor, as `strata run -d` does, so they outlive the service.
*/
/** What the sandbox cannot honour is refused with a clear 400, never ignored. */
function refuseUnsupported(host) {
	if ((host.Binds ?? []).length > 0 || (host.Mounts ?? []).length > 0) throw new StrataError("unsupported", "bind mounts and volumes are not supported by the Strata sandbox yet");
	if (Object.keys(host.PortBindings ?? {}).length > 0) throw new StrataError("unsupported", "publishing ports is not supported by the Strata sandbox yet");
	if (host.Privileged) throw new StrataError("unsupported", "privileged containers are not supported: the Strata sandbox is rootless");
}
/** A container's network: `host` when asked; every other network is a private namespace. */
function networkOf(engine, mode) {
	if (mode === void 0 || mode === "" || mode === "default" || mode === "bridge" || mode === "none") return "none";
	if (mode === "host") return "host";
	if (knownNetwork(engine, mode)) return "none";
	throw new ApiError(404, `network ${mode} not found`);
}
/** The json-file log from `offset` of an open descriptor: whole lines only, one entry per line of output. */
function readLog(fd, offset) {
	const size = fstatSync(fd).size;
	if (size <= offset) return {
		lines: [],
		offset
	};
	const buf = Buffer.alloc(size - offset);
	const n = readSync(fd, buf, 0, buf.length, offset);
	const complete = buf.subarray(0, n).lastIndexOf(10) + 1;
	const lines = [];
	for (const l of buf.subarray(0, complete).toString("utf8").split("\n")) {
		if (!l) continue;
		const j = JSON.parse(l);
		for (const part of j.log.match(/[^\n]*\n|[^\n]+$/g) ?? []) lines.push({
			stream: j.stream,
			text: part,
			time: j.time
		});
	}
	return {
		lines,
		offset: offset + complete
	};
}
var asArray, Session, Lifecycle;
var init_lifecycle = __esmMin((() => {
	init_commit();
	init_export();
	init_errors$2();
	init_http();
	init_streams();
	init_networks();
	asArray = (v) => v === null || v === void 0 ? void 0 : typeof v === "string" ? [v] : v;
	Session = class {
		streams = /* @__PURE__ */ new Set();
		proc;
		exitCode;
		/** Input a client sent before the process started (the docker CLI attaches, then starts). */
		early = [];
		inputEnded = false;
		attach(stream, stdin) {
			this.streams.add(stream);
			stream.onClose(() => this.streams.delete(stream));
			if (stdin && stream.input) {
				stream.input.on("data", (d) => this.proc ? this.proc.write(d) : this.early.push(d));
				stream.input.on("end", () => this.proc ? this.proc.end() : this.inputEnded = true);
				stream.input.resume();
			}
		}
		/** Pipes a started process to every attached client; ends their streams after the exit. */
		run(proc) {
			this.proc = proc;
			for (const d of this.early.splice(0)) proc.write(d);
			if (this.inputEnded) proc.end();
			proc.onData((data, kind) => {
				for (const s of this.streams) s.send(kind, data);
			});
			return proc.exited.then((r) => r.exitCode, () => 125);
		}
		close() {
			for (const s of this.streams) s.end();
			this.streams.clear();
		}
	};
	Lifecycle = class {
		engine;
		pending = /* @__PURE__ */ new Map();
		execs = /* @__PURE__ */ new Map();
		/** Exit codes of the runs this service made, kept past an auto-remove for `wait?condition=removed`. */
		exits = /* @__PURE__ */ new Map();
		constructor(engine) {
			this.engine = engine;
		}
		routes() {
			return [
				[
					"POST",
					/^\/containers\/create$/,
					(c) => this.create(c)
				],
				[
					"POST",
					/^\/containers\/([^/]+)\/start$/,
					(c) => this.start(c)
				],
				[
					"POST",
					/^\/containers\/([^/]+)\/attach$/,
					(c) => this.attach(c)
				],
				[
					"POST",
					/^\/containers\/([^/]+)\/wait$/,
					(c) => this.wait(c)
				],
				[
					"POST",
					/^\/containers\/([^/]+)\/resize$/,
					(c) => this.resize(c)
				],
				[
					"POST",
					/^\/containers\/([^/]+)\/stop$/,
					(c) => this.stop(c)
				],
				[
					"POST",
					/^\/containers\/([^/]+)\/kill$/,
					(c) => this.kill(c)
				],
				[
					"POST",
					/^\/containers\/([^/]+)\/restart$/,
					(c) => this.restart(c)
				],
				[
					"DELETE",
					/^\/containers\/([^/]+)$/,
					(c) => this.remove(c)
				],
				[
					"GET",
					/^\/containers\/([^/]+)\/logs$/,
					(c) => this.logs(c)
				],
				[
					"GET",
					/^\/containers\/([^/]+)\/export$/,
					(c) => this.export(c)
				],
				[
					"POST",
					/^\/commit$/,
					(c) => this.commit(c)
				],
				[
					"POST",
					/^\/containers\/([^/]+)\/exec$/,
					(c) => this.execCreate(c)
				],
				[
					"POST",
					/^\/exec\/([^/]+)\/start$/,
					(c) => this.execStart(c)
				],
				[
					"POST",
					/^\/exec\/([^/]+)\/resize$/,
					(c) => this.execResize(c)
				],
				[
					"GET",
					/^\/exec\/([^/]+)\/json$/,
					(c) => this.execInspect(c)
				]
			];
		}
		async create(ctx) {
			const body = await readJson(ctx.req) ?? {};
			if (!body.Image) throw new ApiError(400, "Config cannot be empty in order to create a container");
			const host = body.HostConfig ?? {};
			refuseUnsupported(host);
			const entrypoint = asArray(body.Entrypoint);
			const opts = {
				image: body.Image,
				cmd: asArray(body.Cmd) ?? [],
				env: body.Env ?? [],
				labels: Object.entries(body.Labels ?? {}).map(([k, v]) => `${k}=${v}`),
				tty: body.Tty ?? false,
				openStdin: body.OpenStdin ?? false,
				autoRemove: host.AutoRemove ?? false,
				network: networkOf(this.engine, host.NetworkMode)
			};
			const name = ctx.query.get("name");
			if (name) opts.name = name;
			if (body.WorkingDir) opts.workdir = body.WorkingDir;
			if (body.User) opts.user = body.User;
			if (entrypoint !== void 0) opts.entrypoint = entrypoint.length === 0 ? "" : entrypoint[0];
			if (entrypoint && entrypoint.length > 1) opts.cmd = [...entrypoint.slice(1), ...opts.cmd ?? []];
			const rec = this.engine.containers.create(opts, {});
			sendJson(ctx.res, 201, {
				Id: rec.id,
				Warnings: []
			});
		}
		/** A client attaching before start gets the output of the run the next start makes. */
		attach(ctx) {
			const rec = this.engine.containers.get(ctx.params[0]);
			const stdin = boolParam(ctx.query, "stdin");
			const live = this.engine.containers.attach(rec.id);
			let session = this.pending.get(rec.id);
			if (!session) {
				if (live) throw new ApiError(409, `container ${rec.id} runs in another client's session: attach is not supported there`);
				if (rec.state === "running") throw new ApiError(409, `container ${rec.id} was started by another process: use logs --follow`);
				session = new Session();
				this.pending.set(rec.id, session);
			}
			const stream = ctx.upgrade ? upgradedStream(ctx.upgrade.socket, ctx.upgrade.head, rec.config.Tty, ctx.version) : plainStream(ctx.req, ctx.res, rec.config.Tty, ctx.version);
			session.attach(stream, stdin);
		}
		async start(ctx) {
			const rec = this.engine.containers.get(ctx.params[0]);
			if (rec.state === "running") return sendEmpty(ctx.res, 304);
			const session = this.pending.get(rec.id);
			if (!session) {
				await this.engine.containers.startDetached(rec.id);
				return sendEmpty(ctx.res);
			}
			this.pending.delete(rec.id);
			let proc;
			try {
				proc = await this.engine.containers.start(rec.id);
			} catch (err) {
				session.close();
				if (rec.config.AutoRemove) await this.engine.containers.remove(rec.id, { force: true }).catch(() => void 0);
				throw err;
			}
			sendEmpty(ctx.res);
			session.run(proc).then(async (code) => {
				this.exits.set(rec.id, code);
				session.close();
				if (rec.config.AutoRemove) await this.engine.containers.remove(rec.id, { force: true }).catch(() => void 0);
			});
		}
		/** Headers at once, the body when the condition holds (docker's wait). */
		async wait(ctx) {
			const condition = ctx.query.get("condition") || "not-running";
			if (![
				"not-running",
				"next-exit",
				"removed"
			].includes(condition)) throw new ApiError(400, `invalid condition: "${condition}"`);
			const id = this.engine.containers.get(ctx.params[0]).id;
			const since = Date.now();
			ctx.res.writeHead(200, { "Content-Type": "application/json" });
			ctx.res.flushHeaders();
			let exitCode = 0;
			while (!ctx.signal.aborted) {
				const rec = this.engine.containers.tryGet(id);
				if (!rec) {
					exitCode = this.exits.get(id) ?? exitCode;
					break;
				}
				exitCode = rec.exitCode;
				const stopped = rec.state !== "running";
				if (condition === "not-running" && stopped) break;
				if (condition === "next-exit" && stopped && rec.finishedAt >= since) break;
				await new Promise((r) => setTimeout(r, 100));
			}
			if (this.engine.containers.tryGet(id) === void 0) this.exits.delete(id);
			ctx.res.end(`${JSON.stringify({
				StatusCode: exitCode,
				Error: null
			})}\n`);
		}
		resize(ctx) {
			const proc = this.engine.containers.attach(ctx.params[0]);
			const cols = intParam(ctx.query, "w", 0);
			const rows = intParam(ctx.query, "h", 0);
			if (proc && cols > 0 && rows > 0) proc.resize(cols, rows);
			ctx.res.writeHead(200);
			ctx.res.end();
		}
		async stop(ctx) {
			const rec = this.engine.containers.get(ctx.params[0]);
			if (rec.state !== "running") return sendEmpty(ctx.res, 304);
			await this.engine.containers.stop(rec.id, intParam(ctx.query, "t", 10));
			sendEmpty(ctx.res);
		}
		async kill(ctx) {
			const raw = ctx.query.get("signal") || "SIGKILL";
			const signal = (/^\d+$/.test(raw) ? raw : raw.startsWith("SIG") ? raw : `SIG${raw}`).toUpperCase();
			const rec = this.engine.containers.get(ctx.params[0]);
			if (rec.state !== "running") throw new ApiError(409, `Container ${rec.id} is not running`);
			await this.engine.containers.kill(rec.id, signal);
			sendEmpty(ctx.res);
		}
		async restart(ctx) {
			const rec = this.engine.containers.get(ctx.params[0]);
			await this.engine.containers.stop(rec.id, intParam(ctx.query, "t", 10));
			await this.engine.containers.startDetached(rec.id);
			sendEmpty(ctx.res);
		}
		async remove(ctx) {
			await this.engine.containers.remove(ctx.params[0], { force: boolParam(ctx.query, "force") });
			sendEmpty(ctx.res);
		}
		/** json-file logs: framed without a TTY, following the file while the container runs. */
		async logs(ctx) {
			const rec = this.engine.containers.get(ctx.params[0]);
			const q = ctx.query;
			const want = {
				stdout: boolParam(q, "stdout"),
				stderr: boolParam(q, "stderr")
			};
			if (!want.stdout && !want.stderr) throw new ApiError(400, "You must choose at least one stream");
			const timestamps = boolParam(q, "timestamps");
			const tailRaw = q.get("tail");
			const tail = tailRaw === null || tailRaw === "" || tailRaw === "all" ? -1 : Number(tailRaw);
			const stream = plainStream(ctx.req, ctx.res, rec.config.Tty, ctx.version);
			const fd = openSync(join(this.engine.containers.dirOf(rec.id), "container.log"), constants.O_RDONLY | constants.O_CREAT | constants.O_NOFOLLOW, 384);
			const emit = (lines) => {
				for (const l of lines) {
					if (!want[l.stream]) continue;
					stream.send(l.stream, Buffer.from(timestamps ? `${l.time} ${l.text}` : l.text));
				}
			};
			try {
				let { lines, offset } = readLog(fd, 0);
				emit(tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines);
				if (boolParam(q, "follow")) while (!ctx.signal.aborted) {
					const running = this.engine.containers.tryGet(rec.id)?.state === "running";
					({lines, offset} = readLog(fd, offset));
					emit(lines);
					if (!running) break;
					await new Promise((r) => setTimeout(r, 100));
				}
			} finally {
				closeSync(fd);
			}
			stream.end();
		}
		async export(ctx) {
			const view = await this.engine.containers.rootfs(ctx.params[0]);
			ctx.res.writeHead(200, { "Content-Type": "application/x-tar" });
			const tar = exportRootfs(view);
			tar.on("error", () => ctx.res.destroy());
			tar.pipe(ctx.res);
			await once(ctx.res, "close");
		}
		async commit(ctx) {
			const q = ctx.query;
			const container = q.get("container");
			if (!container) throw new ApiError(400, "container is required");
			const repo = q.get("repo") ?? "";
			const tag = q.get("tag") ?? "";
			await readJson(ctx.req);
			const image = await commitContainer(this.engine, container, {
				...repo ? { reference: tag ? `${repo}:${tag}` : repo } : {},
				...q.get("comment") ? { message: q.get("comment") } : {},
				...q.get("author") ? { author: q.get("author") } : {},
				changes: q.getAll("changes").flatMap((c) => c.split("\n")).filter(Boolean),
				pause: boolParam(q, "pause", true)
			});
			sendJson(ctx.res, 201, { Id: image.id });
		}
		async execCreate(ctx) {
			const rec = this.engine.containers.get(ctx.params[0]);
			if (rec.state !== "running") throw new ApiError(409, `Container ${rec.id} is not running`);
			const body = await readJson(ctx.req) ?? {};
			if (!body.Cmd || body.Cmd.length === 0) throw new ApiError(400, "No exec command specified");
			const id = randomBytes(32).toString("hex");
			this.execs.set(id, {
				id,
				containerId: rec.id,
				cmd: body.Cmd,
				env: body.Env ?? [],
				user: body.User ?? "",
				workdir: body.WorkingDir ?? "",
				tty: body.Tty ?? false,
				attachStdin: body.AttachStdin ?? false,
				session: new Session(),
				running: false
			});
			sendJson(ctx.res, 201, { Id: id });
		}
		exec(id) {
			const e = this.execs.get(id);
			if (!e) throw new ApiError(404, `No such exec instance: ${id}`);
			return e;
		}
		async execStart(ctx) {
			const e = this.exec(ctx.params[0]);
			if (e.running || e.session.exitCode !== void 0) throw new ApiError(409, `Exec ${e.id} has already been started`);
			const length = Number(ctx.req.headers["content-length"] ?? 0);
			const raw = ctx.upgrade ? await readUpgradeBody(ctx.upgrade.socket, ctx.upgrade.head, length) : void 0;
			const body = (raw ? JSON.parse(raw.toString("utf8") || "{}") : await readJson(ctx.req)) ?? {};
			const tty = body.Tty ?? e.tty;
			const proc = await this.engine.containers.exec(e.containerId, {
				args: e.cmd,
				env: e.env,
				tty,
				...e.user ? { user: e.user } : {},
				...e.workdir ? { workdir: e.workdir } : {}
			});
			e.running = true;
			if (!body.Detach) {
				const stream = ctx.upgrade ? upgradedStream(ctx.upgrade.socket, Buffer.alloc(0), tty, ctx.version) : plainStream(ctx.req, ctx.res, tty, ctx.version);
				e.session.attach(stream, e.attachStdin);
			}
			const done = e.session.run(proc).then((code) => {
				e.session.exitCode = code;
				e.running = false;
				e.session.close();
			});
			if (body.Detach) {
				sendEmpty(ctx.res, 200);
				return;
			}
			await done;
		}
		execResize(ctx) {
			const e = this.exec(ctx.params[0]);
			const cols = intParam(ctx.query, "w", 0);
			const rows = intParam(ctx.query, "h", 0);
			if (e.session.proc && cols > 0 && rows > 0) e.session.proc.resize(cols, rows);
			sendJson(ctx.res, 201, {});
		}
		execInspect(ctx) {
			const e = this.exec(ctx.params[0]);
			sendJson(ctx.res, 200, {
				ID: e.id,
				Running: e.running,
				ExitCode: e.session.exitCode ?? null,
				ProcessConfig: {
					tty: e.tty,
					entrypoint: e.cmd[0],
					arguments: e.cmd.slice(1),
					privileged: false,
					...e.user ? { user: e.user } : {}
				},
				OpenStdin: e.attachStdin,
				OpenStderr: true,
				OpenStdout: true,
				CanRemove: !e.running,
				ContainerID: e.containerId,
				DetachKeys: "",
				Pid: 0
			});
		}
	};
}));
// src/main/engine/build/context-archive.ts
/**
* A build context that arrives as a tar (the Engine API's `/build` body, `docker build -`):
* unpacked into a private directory with the same checks as layers (no absolute paths, no `..`,
* nothing written through a symlink of the same archive, hard links only inside), regular files
* created exclusively. Special files (FIFOs, devices) are skipped: a context never needs them.
*/
/** Peeks at the first bytes: gzip is unwrapped; bzip2 and xz are refused with a clear error. */
async function decompressed(source) {
	const it = source[Symbol.asyncIterator]();
	const first = await it.next();
	const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
	const rest = new PassThrough();
	(async () => {
		try {
			rest.write(head);
			for (let r = await it.next(); !r.done; r = await it.next()) if (!rest.write(r.value)) await new Promise((ok) => rest.once("drain", ok));
			rest.end();
		} catch (err) {
			rest.destroy(err);
		}
	})();
	if (head[0] === 31 && head[1] === 139) return rest.pipe(createGunzip());
	if (head.subarray(0, 3).toString("latin1") === "BZh" || head[0] === 253 && head.subarray(1, 6).toString("latin1") === "7zXZ\0") throw new StrataError("unsupported", "the build context is compressed with bzip2 or xz: send it as a plain or gzip tar");
	return rest;
}
/** Unpacks a context tar into `dir` (which must be empty and private to the caller). */
async function unpackContextArchive(source, dir) {
	const tracker = new LayerPathTracker();
	const extract = tar.extract();
	const done = pipeline(await decompressed(source), extract);
	done.catch(() => {});
	const times = [];
	for await (const entry of extract) {
		const header = entry.header;
		const rel = checkLayerEntry(header, tracker);
		if (rel === "") {
			entry.resume();
			continue;
		}
		const dest = join(dir, rel);
		mkdirSync(dirname(dest), {
			recursive: true,
			mode: 493
		});
		const existing = lstatSync(dest, { throwIfNoEntry: false });
		if (existing && !(existing.isDirectory() && header.type === "directory")) rmSync(dest, {
			recursive: existing.isDirectory(),
			force: true
		});
		switch (header.type) {
			case "directory":
				mkdirSync(dest, {
					recursive: true,
					mode: 493
				});
				entry.resume();
				break;
			case "file":
			case "contiguous-file":
				await pipeline(entry, createWriteStream(dest, {
					flags: "wx",
					mode: (header.mode ?? 420) & 511
				}));
				break;
			case "symlink":
				symlinkSync(header.linkname ?? "", dest);
				entry.resume();
				break;
			case "link": {
				const target = join(dir, cleanEntryPath(header.linkname ?? ""));
				if (!lstatSync(target, { throwIfNoEntry: false })?.isFile()) throw new StrataError("invalid", `hard link to a missing or non-regular file in the build context: ${header.name}`);
				linkSync(target, dest);
				entry.resume();
				break;
			}
			default:
				entry.resume();
				continue;
		}
		if (header.mtime) times.push({
			path: dest,
			mtime: header.mtime
		});
	}
	await done;
	for (const t of times.reverse()) try {
		lutimesSync(t.path, t.mtime, t.mtime);
	} catch {}
}
var init_context_archive = __esmMin((() => {
	init_errors$2();
	init_tar_safety();
}));
// src/main/api-server/build.ts
/**
* `POST /build`: the context arrives as a tar, is unpacked into a private directory, built with
* Strata's builder, and reported as the classic builder's JSON stream (`Step 1/3 : FROM …`,
* ` ---> Using cache`, `{"aux":{"ID":…}}`, `Successfully built …`, `Successfully tagged …`),
* with Strata's cache-miss reasons as extra lines under the step they explain.
*/
function buildArgsParam(raw) {
	if (!raw) return {};
	let parsed;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw new ApiError(400, `invalid buildargs: ${raw}`);
	}
	const out = {};
	for (const [k, v] of Object.entries(parsed ?? {})) if (typeof v === "string") out[k] = v;
	return out;
}
/** The instruction as the Dockerfile spells it at `line` (1-based), continuation lines joined. */
function instructionAt(lines, line) {
	let text = "";
	for (let i = line - 1; i < lines.length; i++) {
		const l = lines[i].replace(/\s+$/, "");
		if (!l.endsWith("\\")) return (text + l).trim();
		text += `${l.slice(0, -1)} `;
	}
	return text.trim() || void 0;
}
/** Strata's build events as the classic builder's stream lines. */
function classicPrinter(send, dockerfileLines) {
	const pending = /* @__PURE__ */ new Map();
	return (e) => {
		switch (e.type) {
			case "vertex":
				if (e.position !== void 0 && e.total !== void 0) {
					const spelled = e.line !== void 0 ? instructionAt(dockerfileLines, e.line) : void 0;
					send({ stream: `Step ${e.position}/${e.total} : ${spelled ?? e.name.replace(/^\[[^\]]*\]\s*/, "")}\n` });
				}
				break;
			case "cached":
				send({ stream: " ---> Using cache\n" });
				break;
			case "miss":
				send({ stream: ` ---> Cache miss: ${e.reason}\n` });
				break;
			case "log": {
				const text = (pending.get(e.n) ?? "") + e.text;
				const cut = text.lastIndexOf("\n") + 1;
				pending.set(e.n, text.slice(cut));
				if (cut > 0) send({ stream: text.slice(0, cut) });
				break;
			}
			case "done":
				if (pending.get(e.n)) send({ stream: `${pending.get(e.n)}\n` });
				pending.delete(e.n);
				break;
			case "warning": send({ stream: `[Warning] ${e.message}\n` });
		}
	};
}
async function buildRoute(ctx) {
	const q = ctx.query;
	if (q.get("remote")) throw new ApiError(400, "remote build contexts are not supported: send the context as a tar");
	const dockerfile = cleanEntryPath(q.get("dockerfile") || "Dockerfile");
	const quiet = boolParam(q, "q");
	const dir = mkdtempSync(join(tmpdir(), "strata-api-context-"));
	const send = (obj) => {
		if (!ctx.res.headersSent) ctx.res.writeHead(200, { "Content-Type": "application/json" });
		ctx.res.write(`${JSON.stringify(obj)}\n`);
	};
	try {
		await unpackContextArchive(ctx.req, join(dir, "context"));
		let dockerfileLines = [];
		try {
			dockerfileLines = readFileSync(join(dir, "context", dockerfile), "utf8").split("\n");
		} catch {}
		const result = await build(ctx.engine, {
			context: join(dir, "context"),
			dockerfile: join(dir, "context", dockerfile),
			tags: q.getAll("t"),
			buildArgs: buildArgsParam(q.get("buildargs")),
			...q.get("target") ? { target: q.get("target") } : {},
			noCache: boolParam(q, "nocache"),
			signal: ctx.signal,
			...quiet ? {} : { onEvent: classicPrinter(send, dockerfileLines) }
		});
		send({ aux: { ID: result.imageId } });
		if (!quiet) {
			send({ stream: `Successfully built ${shortId(result.imageId)}\n` });
			for (const t of result.tags) send({ stream: `Successfully tagged ${familiarString(parseReference(t))}\n` });
		}
		ctx.res.end();
	} catch (err) {
		if (!ctx.res.headersSent && !(err instanceof BuildError)) throw err;
		const message = err instanceof Error ? err.message : String(err);
		send({
			errorDetail: {
				message,
				...err instanceof BuildError && err.exitCode !== void 0 ? { code: err.exitCode } : {}
			},
			error: message
		});
		ctx.res.end();
	} finally {
		rmSync(dir, {
			recursive: true,
			force: true
		});
	}
}
var buildRoutes;
var init_build = __esmMin((() => {
	init_builder();
	init_context_archive();
	init_tar_safety();
	init_format();
	init_reference();
	init_http();
	buildRoutes = [[
		"POST",
		/^\/build$/,
		buildRoute
	]];
}));
// src/main/api-server/registry.ts
/** The client's credentials for this one request, for any registry it names (docker's rule). */
function requestCredentials(req) {
	const header = req.headers["x-registry-auth"];
	let creds;
	if (typeof header === "string" && header.length > 0) {
		let parsed;
		try {
			parsed = JSON.parse(Buffer.from(header.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));
		} catch {
			throw new ApiError(400, "invalid X-Registry-Auth header");
		}
		if (parsed.identitytoken) creds = {
			username: parsed.username ?? "<token>",
			password: "",
			identityToken: parsed.identitytoken
		};
		else if (parsed.username) creds = {
			username: parsed.username,
			password: parsed.password ?? ""
		};
	}
	return {
		get: async () => creds,
		store: async () => {},
		erase: async () => false
	};
}
/** docker's JSON message for one progress event. */
function message(e) {
	const detail = e.current !== void 0 ? {
		current: e.current,
		...e.total !== void 0 ? { total: e.total } : {}
	} : void 0;
	return {
		status: e.status,
		...e.id ? { id: e.id } : {},
		...detail ? { progressDetail: detail } : {}
	};
}
function streamer(ctx) {
	const send = (obj) => {
		if (!ctx.res.headersSent) ctx.res.writeHead(200, { "Content-Type": "application/json" });
		ctx.res.write(`${JSON.stringify(obj)}\n`);
	};
	return {
		send,
		fail: (err) => {
			if (!ctx.res.headersSent) throw err;
			const text = err instanceof Error ? err.message : String(err);
			send({
				errorDetail: { message: text },
				error: text
			});
		}
	};
}
async function pullRoute(ctx) {
	const q = ctx.query;
	const from = q.get("fromImage");
	if (!from) {
		if (q.get("fromSrc")) throw new ApiError(400, "import over the API is not supported yet: use strata import");
		throw new ApiError(400, "fromImage is required");
	}
	const tag = q.get("tag") ?? "";
	const input = tag ? tag.startsWith("sha256:") ? `${from}@${tag}` : `${from}:${tag}` : from;
	const allTags = !tag && parseReference(from, { defaultTag: false }).tag === void 0 && !from.includes("@");
	const { send, fail } = streamer(ctx);
	const options = {
		credentials: requestCredentials(ctx.req),
		signal: ctx.signal,
		...q.get("platform") ? { platform: q.get("platform") } : {},
		onProgress: (e) => send(message(e))
	};
	try {
		if (allTags) await pullAllTags(ctx.engine, input, options);
		else await pull(ctx.engine, input, options);
		ctx.res.end();
	} catch (err) {
		fail(err);
		ctx.res.end();
	}
}
async function pushRoute(ctx) {
	const name = ctx.params[0];
	const tag = ctx.query.get("tag") ?? "";
	const { send, fail } = streamer(ctx);
	const options = {
		credentials: requestCredentials(ctx.req),
		signal: ctx.signal,
		onProgress: (e) => send(message(e))
	};
	try {
		const results = tag ? [await push(ctx.engine, `${name}:${tag}`, options)] : await pushAllTags(ctx.engine, name, options);
		for (const r of results) {
			send({ status: `${r.tag}: digest: ${r.digest} size: ${r.size}` });
			send({
				progressDetail: {},
				aux: {
					Tag: r.tag,
					Digest: r.digest,
					Size: r.size
				}
			});
		}
		ctx.res.end();
	} catch (err) {
		fail(err);
		ctx.res.end();
	}
}
/**
* `POST /auth` (docker login): checks the credentials with the registry and hands back an
* identity token when the registry gives one; the client keeps the secret, the service never does.
*/
async function authRoute(ctx) {
	const body = await readJson(ctx.req) ?? {};
	if (!body.username) throw new ApiError(400, "username is required");
	let kept;
	await login(ctx.engine, loginRegistry(body.serveraddress || void 0), {
		username: body.username,
		password: body.password ?? ""
	}, {
		credentials: {
			get: async () => void 0,
			store: async (_r, c) => void (kept = c),
			erase: async () => false
		},
		signal: ctx.signal
	});
	sendJson(ctx.res, 200, {
		Status: "Login Succeeded",
		IdentityToken: kept?.identityToken ?? ""
	});
}
var registryRoutes;
var init_registry = __esmMin((() => {
	init_pull();
	init_push();
	init_login();
	init_reference();
	init_http();
	registryRoutes = [
		[
			"POST",
			/^\/auth$/,
			authRoute
		],
		[
			"POST",
			/^\/images\/create$/,
			pullRoute
		],
		[
			"POST",
			/^\/images\/(.+)\/push$/,
			pushRoute
		]
	];
}));
// src/main/engine/events/docker-message.ts
/** `--filter key=value` arguments → filters, refusing keys docker refuses. */
function parseEventFilters(args) {
	const out = {};
	for (const a of args) {
		const eq = a.indexOf("=");
		if (eq <= 0) throw new StrataError("invalid", `bad format of filter (expected name=value)`);
		const key = a.slice(0, eq).trim().toLowerCase();
		if (!ACCEPTED_FILTERS.has(key)) throw new StrataError("invalid", `invalid filter '${key}'`);
		(out[key] ??= []).push(a.slice(eq + 1).trim());
	}
	return out;
}
/** docker's Args.ExactMatch: no values for the key matches everything. */
function exact(f, key, source) {
	const values = f[key];
	return !values || values.length === 0 || values.includes(source);
}
/** docker's Args.FuzzyMatch: an exact value or a prefix of the source. */
function fuzzy(f, key, source) {
	const values = f[key];
	return !values || values.length === 0 || values.some((v) => source === v || source.startsWith(v));
}
function fuzzyName(f, key, e) {
	return fuzzy(f, key, e.id) || fuzzy(f, key, e.attributes.name ?? "");
}
/** `busybox:latest` → `busybox`; a digest reference keeps its name. */
function stripTag(image) {
	const at = image.indexOf("@");
	if (at !== -1) return image.slice(0, at);
	const colon = image.lastIndexOf(":");
	return colon > image.lastIndexOf("/") ? image.slice(0, colon) : image;
}
/** moby's matchImage: the image's ID or name, or a container's image, with or without its tag. */
function matchImage(f, e) {
	const name = (e.type === "image" ? e.attributes.name : e.attributes.image) ?? "";
	return exact(f, "image", e.id) || exact(f, "image", name) || exact(f, "image", stripTag(e.id)) || exact(f, "image", stripTag(name));
}
function matchLabels(f, attributes) {
	return (f.label ?? []).every((l) => {
		const eq = l.indexOf("=");
		if (eq === -1) return Object.hasOwn(attributes, l);
		const k = l.slice(0, eq);
		return Object.hasOwn(attributes, k) && attributes[k] === l.slice(eq + 1);
	});
}
/** moby's Filter.Include. */
function matchesFilters(f, e) {
	return ((f.event ?? []).some((v) => v === "exec_create" || v === "exec_start" || v === "health_status") ? fuzzy(f, "event", e.action) : exact(f, "event", e.action)) && exact(f, "type", e.type) && exact(f, "scope", "local") && (exact(f, "daemon", e.id) || exact(f, "daemon", e.attributes.name ?? "")) && [
		"container",
		"plugin",
		"volume",
		"network",
		"node",
		"service",
		"secret",
		"config"
	].every((k) => fuzzyName(f, k, e)) && matchImage(f, e) && matchLabels(f, e.attributes);
}
function dockerMessage(e) {
	return {
		...e.type === "container" ? {
			status: e.action,
			id: e.id,
			from: e.attributes.image ?? ""
		} : e.type === "image" ? {
			status: e.action,
			id: e.id
		} : {},
		Type: e.type,
		Action: e.action,
		Actor: {
			ID: e.id,
			Attributes: e.attributes
		},
		scope: "local",
		time: Number(e.timeNano / 1000000000n),
		timeNano: e.timeNano
	};
}
/** The message as Go's json.Marshal writes it (timeNano exact, omitempty legacy fields left out when empty). */
function dockerMessageJson(m) {
	const { timeNano, ...rest } = m;
	for (const k of [
		"status",
		"id",
		"from"
	]) if (!rest[k]) delete rest[k];
	return JSON.stringify({
		...rest,
		timeNano: 0
	}).replace(/"timeNano":0}$/, `"timeNano":${timeNano}}`).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
/** docker's pretty line: `2026-12-01T10:00:00.000000000Z image tag sha256:… (name=a:1)`, attributes by key. */
function dockerEventLine(e, offsetMinutes = localOffsetMinutes(e.timeNano)) {
	const keys = Object.keys(e.attributes).sort();
	const attrs = keys.length > 0 ? ` (${keys.map((k) => `${k}=${e.attributes[k]}`).join(", ")})` : "";
	return `${rfc3339NanoFixed(e.timeNano, offsetMinutes)} ${e.type} ${e.action} ${e.id}${attrs}`;
}
function localOffsetMinutes(ns) {
	return -new Date(Number(ns / 1000000n)).getTimezoneOffset();
}
/** Go's "2006-01-02T15:04:05.000000000Z07:00" in a zone `offsetMinutes` east of UTC. */
function rfc3339NanoFixed(ns, offsetMinutes) {
	const seconds = ns / 1000000000n - (ns % 1000000000n < 0n ? 1n : 0n);
	const frac = ns - seconds * 1000000000n;
	const d = /* @__PURE__ */ new Date(Number(seconds) * 1e3 + offsetMinutes * 6e4);
	const zone = offsetMinutes === 0 ? "Z" : `${offsetMinutes > 0 ? "+" : "-"}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
	return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${String(frac).padStart(9, "0")}${zone}`;
}
/**
* `--since`/`--until` as docker's GetTimestamp reads them, in unix nanoseconds: a Go duration
* before `nowMs` (whole seconds, as docker sends), an RFC3339-like date (local time without a
* zone), or a unix timestamp `seconds[.nanoseconds]`.
*/
function parseDockerTimestamp(value, nowMs = Date.now()) {
	const v = value.trim();
	if (v !== "0" && GO_DURATION.test(v)) {
		let ns = 0;
		for (const [, num, unit] of v.matchAll(/([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/g)) ns += Number(num || 0) * UNIT_NS[unit];
		if (v.startsWith("-")) ns = -ns;
		return BigInt(Math.floor((nowMs - ns / 1e6) / 1e3)) * 1000000000n;
	}
	const m = DATE_TIME.exec(v);
	if (m) return dateTimeNano(m, v);
	if (v.includes("-")) throw new StrataError("invalid", `parsing time "${v}": cannot parse "${v}" as a timestamp`);
	const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(v);
	if (!unix) throw new StrataError("invalid", `failed to parse value as time or duration: "${v}"`);
	return BigInt(unix[1]) * 1000000000n + BigInt((unix[2] ?? "").padEnd(9, "0") || "0");
}
function dateTimeNano(m, value) {
	const [year, month, day, hour, minute, second] = [
		m[1],
		m[2],
		m[3],
		m[4],
		m[5],
		m[6]
	].map((x) => Number(x ?? 0));
	const zone = m[8];
	let ms;
	if (!zone) ms = new Date(year, month - 1, day, hour, minute, second).getTime();
	else {
		ms = Date.UTC(year, month - 1, day, hour, minute, second);
		if (zone.toUpperCase() !== "Z") {
			const sign = zone.startsWith("-") ? -1 : 1;
			ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 6e4;
		}
	}
	if (!Number.isFinite(ms)) throw new StrataError("invalid", `parsing time "${value}": out of range`);
	return BigInt(ms) * 1000000n + BigInt((m[7] ?? "").padEnd(9, "0") || "0");
}
var ACCEPTED_FILTERS, pad, GO_DURATION, UNIT_NS, DATE_TIME;
var init_docker_message = __esmMin((() => {
	init_errors$2();
	ACCEPTED_FILTERS = /* @__PURE__ */ new Set([
		"config",
		"container",
		"daemon",
		"event",
		"image",
		"label",
		"network",
		"node",
		"plugin",
		"scope",
		"secret",
		"service",
		"type",
		"volume"
	]);
	pad = (n, w = 2) => String(n).padStart(w, "0");
	GO_DURATION = /^[-+]?(?:[0-9]*(?:\.[0-9]*)?(?:ns|us|µs|ms|s|m|h))+$/;
	UNIT_NS = {
		ns: 1,
		us: 1e3,
		µs: 1e3,
		ms: 1e6,
		s: 1e9,
		m: 6e10,
		h: 36e11
	};
	DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/i;
}));
// src/main/api-server/events.ts
async function eventsRoute(ctx) {
	const { engine, query } = ctx;
	const filters = filtersParam(query);
	const now = Date.now();
	const since = query.get("since");
	const until = query.get("until");
	const sinceNano = since ? parseDockerTimestamp(since, now) : void 0;
	const untilNano = until ? parseDockerTimestamp(until, now) : void 0;
	ctx.res.writeHead(200, { "Content-Type": "application/json" });
	ctx.res.flushHeaders();
	const write = (e) => {
		if (!DOCKER_TYPES.has(e.type) || e.type === "image" && e.action === "prune" && ctx.version < 1.41) return;
		if (untilNano !== void 0 && e.timeNano > untilNano) return;
		if (matchesFilters(filters, e)) ctx.res.write(`${dockerMessageJson(dockerMessage(e))}\n`);
	};
	const start = engine.events.lastSeq();
	if (sinceNano !== void 0) for (const e of engine.events.read({
		upToSeq: start,
		sinceNano,
		...untilNano !== void 0 ? { untilNano } : {}
	})) write(e);
	if (untilNano === void 0 || untilNano > BigInt(Date.now()) * 1000000n) {
		const unsubscribe = engine.feed.subscribe(write, start);
		await new Promise((resolve) => {
			const ms = untilNano === void 0 ? 2 ** 31 - 1 : Math.max(0, Number(untilNano / 1000000n) - Date.now());
			const timer = setTimeout(resolve, Math.min(ms, 2 ** 31 - 1));
			ctx.signal.addEventListener("abort", () => {
				clearTimeout(timer);
				resolve();
			}, { once: true });
		});
		unsubscribe();
	}
	ctx.res.end();
}
var DOCKER_TYPES, eventRoutes;
var init_events = __esmMin((() => {
	init_docker_message();
	init_http();
	DOCKER_TYPES = /* @__PURE__ */ new Set([
		"image",
		"container",
		"network",
		"volume",
		"daemon"
	]);
	eventRoutes = [[
		"GET",
		/^\/events$/,
		eventsRoute
	]];
}));
// src/main/api-server/archive.ts
/**
* `docker cp` over the Engine API: `GET/HEAD /containers/{id}/archive?path=` answers with the path's
* stat in `X-Docker-Container-Path-Stat` (and its tar), `PUT` unpacks a tar into a directory of
* the container. Both go through the container's rootfs view: nothing follows the container's
* links onto the host, and an incoming tar is checked like a layer before it is copied in.
*/
/** Go's os.FileMode bits for the entry (permissions plus docker's type bits). */
function goFileMode(e) {
	const perm = e.mode & 511;
	return (e.type === "dir" ? 2 ** 31 : e.type === "symlink" ? 2 ** 27 : e.type === "fifo" ? 2 ** 25 : 0) + perm;
}
function statHeader(e) {
	const stat = {
		name: posix.basename(e.path) || "/",
		size: e.size,
		mode: goFileMode(e),
		mtime: (/* @__PURE__ */ new Date(e.mtime * 1e3)).toISOString(),
		linkTarget: e.type === "symlink" ? e.linkTarget : ""
	};
	return Buffer.from(JSON.stringify(stat)).toString("base64");
}
function pathParam(ctx) {
	const path = ctx.query.get("path");
	if (!path) throw new ApiError(400, "path is required");
	return path.startsWith("/") ? path : `/${path}`;
}
async function getArchive(ctx) {
	const view = await ctx.engine.containers.rootfs(ctx.params[0]);
	const path = pathParam(ctx);
	const entry = view.stat(path);
	if (!entry) throw new ApiError(404, `Could not find the file ${path} in container ${ctx.params[0]}`);
	ctx.res.setHeader("X-Docker-Container-Path-Stat", statHeader(entry));
	if (ctx.req.method === "HEAD") {
		ctx.res.writeHead(200);
		ctx.res.end();
		return;
	}
	ctx.res.writeHead(200, { "Content-Type": "application/x-tar" });
	const tar = archivePath(view, path);
	tar.on("error", () => ctx.res.destroy());
	tar.pipe(ctx.res);
	await once(ctx.res, "close");
}
async function putArchive(ctx) {
	const view = await ctx.engine.containers.rootfs(ctx.params[0]);
	const path = pathParam(ctx);
	const target = view.stat(path);
	if (!target) throw new ApiError(404, `Could not find the file ${path} in container ${ctx.params[0]}`);
	if (target.type !== "dir") throw new ApiError(400, `extraction point is not a directory: ${path}`);
	const scratch = mkdtempSync(join(tmpdir(), "strata-api-cp-"));
	try {
		await unpackContextArchive(ctx.req, scratch);
		for (const name of readdirSync(scratch)) copyIn(view, join(scratch, name), target.path);
	} finally {
		rmSync(scratch, {
			recursive: true,
			force: true
		});
	}
	ctx.res.writeHead(200);
	ctx.res.end();
}
var archiveRoutes;
var init_archive = __esmMin((() => {
	init_export();
	init_copy();
	init_context_archive();
	init_http();
	archiveRoutes = [[
		"GET",
		/^\/containers\/([^/]+)\/archive$/,
		getArchive
	], [
		"PUT",
		/^\/containers\/([^/]+)\/archive$/,
		putArchive
	]];
}));
// src/main/api-server/server.ts
/**
* `strata system service`: the Docker Engine API served from Strata's own engine, so the docker
* CLI, docker-compose, docker-py and dockerode drive Strata. A thin translation: one route table
* per area (system, images, containers …) onto the engine calls the CLI uses.
*/
var server_exports = /* @__PURE__ */ __exportAll({
	createApiServer: () => createApiServer,
	defaultSocketPath: () => defaultSocketPath,
	listenUnix: () => listenUnix,
	socketPathOf: () => socketPathOf
});
function createApiServer(engine, options = {}) {
	const lifecycle = new Lifecycle(engine);
	const router = new Router().add(systemRoutes).add(imageRoutes).add(containerRoutes).add(lifecycle.routes()).add(buildRoutes).add(registryRoutes).add(networkRoutes(engine)).add(eventRoutes).add(archiveRoutes).add(options.routes ?? []);
	const handle = async (req, res, upgrade) => {
		serverHeaders(res);
		const abort = new AbortController();
		res.on("close", () => {
			if (!res.writableFinished) abort.abort(new StrataError("canceled", "the client disconnected"));
		});
		try {
			const url = new URL(req.url ?? "/", "http://strata.sock");
			if (url.pathname.startsWith("/libpod/") || /^\/v[\d.]+\/libpod\//.test(url.pathname)) throw new ApiError(404, "page not found");
			const { version, path } = splitVersion(url.pathname);
			const { handler, params } = router.match(req.method ?? "GET", path);
			await handler({
				req,
				res,
				engine,
				path,
				query: url.searchParams,
				params,
				version,
				signal: abort.signal,
				...upgrade ? { upgrade } : {}
			});
		} catch (err) {
			sendError(res, err);
		} finally {
			options.log?.(`${req.method} ${req.url} ${upgrade && res.statusCode === 200 ? 101 : res.statusCode}`);
			options.onActivity?.();
		}
	};
	const server = createServer((req, res) => void handle(req, res));
	server.on("upgrade", (req, socket, head) => {
		const res = new ServerResponse(req);
		res.assignSocket(socket);
		res.shouldKeepAlive = false;
		res.once("finish", () => socket.end());
		handle(req, res, {
			socket,
			head
		});
	});
	server.on("clientError", (_err, socket) => socket.destroy());
	return server;
}
/** The default socket: `$XDG_RUNTIME_DIR/strata/strata.sock`, else a per-user directory in /tmp. */
function defaultSocketPath(env = process.env) {
	const runtime = env.XDG_RUNTIME_DIR;
	if (runtime) return join(runtime, "strata", "strata.sock");
	return join(tmpdir(), `strata-${process.getuid?.() ?? "user"}`, "strata.sock");
}
/** Parses `unix:///path` (or a bare path) into a socket path; other schemes are refused. */
function socketPathOf(uri) {
	if (uri.startsWith("unix://")) return uri.slice(7);
	if (uri.startsWith("/")) return uri;
	if (uri.startsWith("tcp://")) throw new StrataError("unsupported", "TCP is not served: use a unix socket (unix:///path); a remote docker can reach it through ssh");
	throw new StrataError("invalid", `invalid service URI: ${uri} (expected unix:///path)`);
}
/** A private directory for the socket: ours, not a link, mode 0700. */
function prepareDirectory(dir) {
	mkdirSync(dir, {
		recursive: true,
		mode: 448
	});
	const st = lstatSync(dir);
	const uid = process.getuid?.();
	if (!st.isDirectory() || uid !== void 0 && st.uid !== uid) throw new StrataError("permission-denied", `${dir} is not a directory owned by you: refusing to put the API socket there`);
	if ((st.mode & 63) !== 0) chmodSync(dir, 448);
}
/** Removes a socket file no process listens on any more; refuses to replace a live service. */
async function clearStaleSocket(path) {
	let st;
	try {
		st = lstatSync(path);
	} catch {
		return;
	}
	if (!st.isSocket()) throw new StrataError("already-exists", `${path} exists and is not a socket`);
	if (await new Promise((resolve) => {
		const s = connect(path);
		s.once("connect", () => {
			s.destroy();
			resolve(true);
		});
		s.once("error", () => resolve(false));
	})) throw new StrataError("already-exists", `another service is already listening on ${path}`);
	unlinkSync(path);
}
/** Listens on a unix socket readable and writable by the user only (0600 in a 0700 directory). */
async function listenUnix(server, path) {
	prepareDirectory(dirname(path));
	await clearStaleSocket(path);
	const mask = process.umask(127);
	try {
		await new Promise((resolve, reject) => {
			server.once("error", reject);
			server.listen(path, () => {
				server.off("error", reject);
				resolve();
			});
		});
	} finally {
		process.umask(mask);
	}
	chmodSync(path, 384);
}
var init_server = __esmMin((() => {
	init_errors$2();
	init_http();
	init_router();
	init_system();
	init_images();
	init_containers();
	init_lifecycle();
	init_build();
	init_registry();
	init_networks();
	init_events();
	init_archive();
}));
// src/main/cli/commands/service.ts
/**
* `strata system service`: serves the Docker Engine API on a unix socket (podman's verb), so the
* docker CLI, compose and SDKs drive this store. `--time` is the idle timeout (0: never exit).
*/
const systemServiceCommand = {
	path: ["system", "service"],
	usage: "strata system service [OPTIONS] [URI]",
	description: "Serve the Docker Engine API on a unix socket",
	flags: [{
		name: "time",
		short: "t",
		type: "string",
		value: "seconds",
		description: "Time until the service exits when idle; 0 never (default 0)"
	}, {
		name: "log-level",
		type: "string",
		value: "string",
		description: "Log messages above specified level (debug, info, warn, error) (default \"warn\")"
	}],
	maxArgs: 1,
	async run(ctx) {
		const timeFlag = flagString(ctx, "time") ?? "0";
		const idleSeconds = Number(timeFlag);
		if (!Number.isFinite(idleSeconds) || idleSeconds < 0) throw new UsageError(`invalid argument "${timeFlag}" for "-t, --time" flag`);
		const engine = ctx.engine();
		const { createApiServer, defaultSocketPath, listenUnix, socketPathOf } = await Promise.resolve().then(() => (init_server(), server_exports));
		const path = ctx.args[0] ? socketPathOf(ctx.args[0]) : defaultSocketPath();
		let idle;
		const done = new AbortController();
		const open = /* @__PURE__ */ new Set();
		const armIdle = () => {
			if (idleSeconds === 0) return;
			clearTimeout(idle);
			if (open.size === 0) idle = setTimeout(() => done.abort(), idleSeconds * 1e3);
		};
		const server = createApiServer(engine, {
			onActivity: armIdle,
			...flagString(ctx, "log-level") === "debug" ? { log: (line) => ctx.stderr.write(`${(/* @__PURE__ */ new Date()).toISOString()} ${line}\n`) } : {}
		});
		server.on("connection", (socket) => {
			open.add(socket);
			clearTimeout(idle);
			socket.once("close", () => {
				open.delete(socket);
				armIdle();
			});
		});
		await listenUnix(server, path);
		ctx.stderr.write(`API service listening on "unix://${path}". URI: "unix://${path}"\n`);
		armIdle();
		await new Promise((resolve) => {
			const stop = () => resolve();
			if (ctx.signal.aborted) return resolve();
			ctx.signal.addEventListener("abort", stop, { once: true });
			done.signal.addEventListener("abort", stop, { once: true });
		});
		clearTimeout(idle);
		server.close();
		server.closeAllConnections();
	}
};
// src/main/cli/commands/events.ts
init_template();
init_docker_message();
/** How one event prints: docker's line, its JSON message, or a Go template over the message. */
function printer(format) {
	if (!format) return dockerEventLine;
	if (format === "json" || format.trim() === "{{json .}}") return (e) => dockerMessageJson(dockerMessage(e));
	const template = parseTemplate(format);
	return (e) => {
		const m = dockerMessage(e);
		return template.execute({
			Status: m.status ?? "",
			ID: m.id ?? "",
			From: m.from ?? "",
			Type: m.Type,
			Action: m.Action,
			Actor: {
				ID: m.Actor.ID,
				Attributes: goMap({ ...m.Actor.Attributes })
			},
			Scope: m.scope,
			Time: m.time,
			TimeNano: m.timeNano
		});
	};
}
/** Resolves when `signal` aborts or at `untilNano` (unix ns), whichever comes first. */
function waitUntil(signal, untilNano) {
	return new Promise((resolve) => {
		const ms = untilNano === void 0 ? 2 ** 31 - 1 : Math.max(0, Number(untilNano / 1000000n) - Date.now());
		const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
		function done() {
			clearTimeout(timer);
			signal.removeEventListener("abort", done);
			resolve();
		}
		signal.addEventListener("abort", done, { once: true });
		if (signal.aborted) done();
	});
}
async function follow(ctx) {
	const filters = parseEventFilters(flagStrings(ctx, "filter"));
	const now = Date.now();
	const since = flagString(ctx, "since");
	const until = flagString(ctx, "until");
	const sinceNano = since ? parseDockerTimestamp(since, now) : void 0;
	const untilNano = until ? parseDockerTimestamp(until, now) : void 0;
	const print = printer(flagString(ctx, "format"));
	const stop = new AbortController();
	const onAbort = () => stop.abort();
	ctx.signal.addEventListener("abort", onAbort, { once: true });
	ctx.stdout.on("error", onAbort);
	const write = (e) => {
		if (stop.signal.aborted) return;
		if (matchesFilters(filters, e) && (untilNano === void 0 || e.timeNano <= untilNano)) ctx.stdout.write(`${print(e)}\n`);
	};
	try {
		await replayAndFollow(ctx, write, stop.signal, sinceNano, untilNano, now);
	} finally {
		ctx.signal.removeEventListener("abort", onAbort);
		ctx.stdout.off("error", onAbort);
	}
}
async function replayAndFollow(ctx, write, signal, sinceNano, untilNano, now) {
	const engine = ctx.engine();
	const start = engine.events.lastSeq();
	if (sinceNano !== void 0) for (const e of engine.events.read({
		upToSeq: start,
		sinceNano,
		...untilNano !== void 0 ? { untilNano } : {}
	})) write(e);
	if (untilNano !== void 0 && untilNano <= BigInt(now) * 1000000n) return;
	const unsubscribe = engine.feed.subscribe(write, start);
	try {
		await waitUntil(signal, untilNano);
	} finally {
		unsubscribe();
	}
}
// src/main/cli/registry.ts
/**
* Every CLI command. Each command lives in its own file under commands/ (grouped by service);
* add it to this list.
*/
const COMMANDS = [
	buildCommand,
	builderPruneCommand,
	builderHistoryCommand,
	builderAdviseCommand,
	fsckCommand,
	loadCommand,
	saveCommand,
	importCommand,
	gcCommand,
	uiCommand,
	pullCommand,
	pushCommand,
	loginCommand,
	logoutCommand,
	{
		path: ["events"],
		aliases: [["system", "events"]],
		usage: "strata events [OPTIONS]",
		description: "Get real time events from the store",
		flags: [
			{
				name: "filter",
				short: "f",
				type: "strings",
				value: "filter",
				description: "Filter output based on conditions provided"
			},
			{
				name: "format",
				type: "string",
				description: "Format output using a custom template: 'json' or a Go template"
			},
			{
				name: "since",
				type: "string",
				description: "Show all events created since timestamp"
			},
			{
				name: "until",
				type: "string",
				description: "Stream events until this timestamp"
			}
		],
		maxArgs: 0,
		async run(ctx) {
			await follow(ctx);
			return 0;
		}
	},
	imagesCommand,
	imageLsCommand,
	historyCommand,
	imageLayersCommand,
	inspectCommand,
	tagCommand,
	rmiCommand,
	imagePruneCommand,
	systemDfCommand,
	...CONTAINER_COMMANDS,
	...CONTEXT_COMMANDS,
	systemServiceCommand
];
// src/main/cli/provider-shapes.ts
init_units();
init_formatter();
function toImageSummary(i) {
	return {
		id: i.Id,
		repoTags: i.RepoTags ?? [],
		repoDigests: i.RepoDigests ?? [],
		parentId: i.ParentId ?? "",
		created: i.Created,
		size: i.Size,
		sharedSize: i.SharedSize ?? -1,
		labels: i.Labels ?? {},
		containers: i.Containers ?? -1
	};
}
function toHistoryEntry(h) {
	return {
		id: h.Id,
		created: h.Created,
		createdBy: h.CreatedBy ?? "",
		size: h.Size,
		comment: h.Comment ?? "",
		tags: h.Tags ?? [],
		emptyLayer: false
	};
}
function isActiveContainer(state) {
	return state.includes("running") || state.includes("paused") || state.includes("restarting");
}
/** docker/cli's TYPE rows: Images, Containers, Local Volumes, Build Cache. */
function dfSummary(df) {
	const images = df.Images ?? [];
	const containers = df.Containers ?? [];
	const volumes = df.Volumes ?? [];
	const cache = df.BuildCache ?? [];
	let imagesUsed = 0;
	for (const i of images) if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) imagesUsed += i.Size - i.SharedSize;
	const containerSize = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
	const containerIdle = containers.filter((c) => !isActiveContainer(c.State)).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
	const volumeSize = volumes.reduce((n, v) => n + (v.UsageData && v.UsageData.Size !== -1 ? v.UsageData.Size : 0), 0);
	const volumeIdle = volumes.reduce((n, v) => n + (v.UsageData && v.UsageData.Size !== -1 && v.UsageData.RefCount === 0 ? v.UsageData.Size : 0), 0);
	const builderSize = cache.reduce((n, b) => n + (b.Shared ? 0 : b.Size), 0);
	const cacheInUse = cache.reduce((n, b) => n + (b.InUse && !b.Shared ? b.Size : 0), 0);
	return [
		{
			type: "Images",
			total: images.length,
			active: images.filter((i) => i.Containers > 0).length,
			size: df.LayersSize,
			reclaimable: df.LayersSize - imagesUsed
		},
		{
			type: "Containers",
			total: containers.length,
			active: containers.filter((c) => isActiveContainer(c.State)).length,
			size: containerSize,
			reclaimable: containerIdle
		},
		{
			type: "Local Volumes",
			total: volumes.length,
			active: volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length,
			size: volumeSize,
			reclaimable: volumeIdle
		},
		{
			type: "Build Cache",
			total: cache.length,
			active: cache.filter((b) => b.InUse).length,
			size: builderSize,
			reclaimable: builderSize - cacheInUse
		}
	];
}
const seconds = (iso) => iso ? Math.floor(Date.parse(iso) / 1e3) || 0 : 0;
function toDiskUsageReport(df) {
	return {
		layersSize: df.LayersSize,
		images: (df.Images ?? []).map((i) => ({
			id: i.Id,
			repoTags: i.RepoTags ?? [],
			created: i.Created,
			size: i.Size,
			sharedSize: i.SharedSize,
			uniqueSize: i.Size === -1 || i.SharedSize === -1 ? -1 : i.Size - i.SharedSize,
			containers: i.Containers
		})),
		containers: (df.Containers ?? []).map((c) => ({
			id: c.Id,
			names: c.Names ?? [],
			image: c.Image,
			command: c.Command,
			created: c.Created,
			state: c.State,
			status: c.Status,
			sizeRw: c.SizeRw ?? 0,
			sizeRootFs: c.SizeRootFs ?? 0
		})),
		buildCache: (df.BuildCache ?? []).map((b) => ({
			id: b.ID,
			type: b.Type,
			description: b.Description,
			size: b.Size,
			createdAt: seconds(b.CreatedAt),
			lastUsedAt: seconds(b.LastUsedAt),
			usageCount: b.UsageCount,
			inUse: b.InUse,
			shared: b.Shared
		})),
		summary: dfSummary(df)
	};
}
/** docker's DisplayablePorts, without range folding: `IP:PUBLIC->PRIVATE/proto`, sorted. */
function portsText(ports) {
	return [...ports ?? []].map((p) => p.PublicPort ? `${p.IP ? `${p.IP}:` : ""}${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`).sort().join(", ");
}
/** One `ps` row from the Engine API's container summary (docker/cli formatter/container.go). */
function containerRow(c, now, trunc) {
	let names = (c.Names ?? []).map((n) => n.replace(/^\//, ""));
	if (trunc) {
		const plain = names.find((n) => n.split("/").length === 1);
		if (plain) names = [plain];
	}
	let image = c.Image || "<no image>";
	if (trunc && c.Image && truncateId(c.ImageID) === truncateId(c.Image)) image = truncateId(c.ImageID);
	const srw = humanSize(c.SizeRw ?? 0, 3);
	const size = (c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${humanSize(c.SizeRootFs, 3)})` : srw;
	return sortedKeys({
		Command: JSON.stringify(trunc ? ellipsis(c.Command, 20) : c.Command),
		CreatedAt: goTimeString(c.Created),
		ID: trunc ? truncateId(c.Id) : c.Id,
		Image: image,
		Labels: Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
		LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Name).length),
		Mounts: (c.Mounts ?? []).map((m) => m.Name ? trunc ? ellipsis(m.Name, 15) : m.Name : m.Source ?? "").join(","),
		Names: names.join(","),
		Networks: "",
		Ports: portsText(c.Ports),
		RunningFor: createdSince(c.Created, now),
		Size: size,
		State: c.State,
		Status: c.Status
	});
}
// src/main/cli/commands/provider.ts
/**
* docker's verbs against a Provider (an engine chosen with `-H`/`--context`): each one asks the
* provider in the Engine API's vocabulary and prints through the same formatters as the Strata store,
* so `strata -H unix://SOCK images` prints what `docker -H unix://SOCK images` prints. A command not
* listed here refuses clearly against an Engine API provider.
*/
init_list();
init_reference();
init_errors$2();
init_formatter();
init_units();
init_container_format();
/**
* docker's client wording for an engine's refusal: a missing object it looked up by name is
* "Error: No such image: x" (the client's own message), anything else "Error response from daemon: …".
*/
function daemonMessage(err) {
	const e = err;
	if (e instanceof StrataError && e.details?.status !== void 0) return `Error response from daemon: ${e.message}`;
	return `Error: ${e.message}`;
}
/** The docker client names a missing object as the user wrote it ("No such image: x", not "x:latest"). */
function notFoundMessage(err, object, name) {
	const e = err;
	return e instanceof StrataError && e.code === "not-found" ? `Error: No such ${object}: ${name}` : daemonMessage(err);
}
async function images(ctx, p, calledAsImages) {
	const matchName = ctx.args[0];
	const filters = parseFilters(flagStrings(ctx, "filter"));
	if (matchName) (filters.reference ??= []).push(matchName);
	if (flagBool(ctx, "tree")) throw new UsageError("--tree is not supported against an Engine API provider yet");
	const list = (await p.listImages({
		all: flagBool(ctx, "all"),
		filters
	})).map(toImageSummary);
	const format = flagString(ctx, "format");
	ctx.stdout.write(formatImageList(list, {
		...format !== void 0 ? { format } : {},
		quiet: flagBool(ctx, "quiet"),
		noTrunc: flagBool(ctx, "no-trunc"),
		digests: flagBool(ctx, "digests"),
		now: Date.now()
	}));
	if (calledAsImages && matchName && list.length === 0) {
		const hint = ambiguousHint(matchName, "strata");
		if (hint) ctx.stderr.write(`\n${hint}`);
	}
	return 0;
}
async function history(ctx, p) {
	const entries = (await p.imageHistory(ctx.args[0])).map(toHistoryEntry);
	const format = flagString(ctx, "format");
	ctx.stdout.write(formatHistory(entries, {
		...format !== void 0 ? { format } : {},
		quiet: flagBool(ctx, "quiet"),
		human: ctx.flags.human !== false,
		noTrunc: flagBool(ctx, "no-trunc"),
		now: Date.now()
	}));
}
/** docker's inspect output: the engine's objects indented, or a template per object. */
function printInspected(ctx, found) {
	const format = flagString(ctx, "format");
	if (format === void 0 || format === "" || format === "json") {
		ctx.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
		return;
	}
	const tmpl = compile(format);
	for (const obj of found) ctx.stdout.write(`${tmpl.execute(obj)}\n`);
}
async function inspect(ctx, p) {
	const found = [];
	const errors = [];
	for (const name of ctx.args) try {
		found.push(await p.inspectImage(name));
	} catch (err) {
		if (!(err instanceof StrataError && err.code === "not-found")) throw err;
		errors.push(`Error: No such image: ${name}`);
	}
	printInspected(ctx, found);
	for (const e of errors) ctx.stderr.write(`${e}\n`);
	return errors.length > 0 ? 1 : 0;
}
async function tag(ctx, p) {
	const target = ctx.args[1];
	try {
		parseReference(target);
	} catch (err) {
		throw new UsageError(`Error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${err.message}`);
	}
	await p.tagImage(ctx.args[0], target);
}
async function rmi(ctx, p) {
	const errors = [];
	for (const name of ctx.args) try {
		for (const d of await p.removeImage(name, {
			force: flagBool(ctx, "force"),
			noPrune: flagBool(ctx, "no-prune")
		})) ctx.stdout.write(d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged}\n`);
	} catch (err) {
		errors.push(notFoundMessage(err, "image", name));
	}
	for (const e of errors) ctx.stderr.write(`${e}\n`);
	return errors.length > 0 ? 1 : 0;
}
async function imagePrune(ctx, p) {
	const all = flagBool(ctx, "all");
	if (!flagBool(ctx, "force")) {
		ctx.stdout.write(`${all ? ALL_WARNING : DANGLING_WARNING} [y/N] `);
		const answer = (await readLine(ctx.stdin)).trim();
		if (answer !== "y" && answer !== "Y") {
			ctx.stdout.write(`Total reclaimed space: ${humanSize4(0)}\n`);
			return 0;
		}
	}
	const filters = parseFilters(flagStrings(ctx, "filter"));
	filters.dangling = [String(!all)];
	const report = await p.pruneImages(filters);
	const deleted = report.ImagesDeleted ?? [];
	if (deleted.length > 0) {
		ctx.stdout.write("Deleted Images:\n");
		for (const d of deleted) ctx.stdout.write(d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`);
		ctx.stdout.write("\n");
	}
	ctx.stdout.write(`Total reclaimed space: ${humanSize4(deleted.length > 0 ? report.SpaceReclaimed : 0)}\n`);
	return 0;
}
async function save(ctx, p) {
	const format = flagString(ctx, "format");
	if (format !== void 0 && format !== "docker-archive" && format !== "docker") throw new StrataError("unsupported", `--format ${format} is not supported against an Engine API provider yet (the engine writes docker-archive)`);
	const output = flagString(ctx, "output");
	if (output === void 0 && ctx.stdout.isTTY) throw new Error("cowardly refusing to save to a terminal. Use the -o flag or redirect");
	const archive = await p.saveImages(ctx.args, ctx.signal);
	if (output === void 0) {
		await pipeline(archive, ctx.stdout, {
			end: false,
			signal: ctx.signal
		});
		return;
	}
	const tmp = `${output}.${randomBytes(4).toString("hex")}.tmp`;
	try {
		await pipeline(archive, createWriteStream(tmp), { signal: ctx.signal });
		renameSync(tmp, output);
	} catch (err) {
		rmSync(tmp, { force: true });
		throw err;
	}
}
async function load(ctx, p) {
	const input = flagString(ctx, "input");
	if (input === void 0 && ctx.stdin.isTTY) throw new Error("requested load from stdin, but stdin is empty");
	const archive = input !== void 0 ? createReadStream(input) : ctx.stdin;
	const quiet = flagBool(ctx, "quiet") || !ctx.stdout.isTTY;
	for await (const m of p.loadImages(archive, {
		quiet,
		signal: ctx.signal
	})) {
		if (m.error || m.errorDetail) throw new StrataError("invalid", m.errorDetail?.message ?? m.error ?? "load failed", { details: { status: 500 } });
		if (m.stream !== void 0) ctx.stdout.write(m.stream);
		else if (m.status !== void 0) ctx.stdout.write(`${m.id ? `${m.id}: ` : ""}${m.status}${m.progress ? ` ${m.progress}` : ""}\n`);
	}
}
async function systemDf(ctx, p) {
	const df = await p.systemDf();
	const format = flagString(ctx, "format");
	if (format === "json") {
		ctx.stdout.write(`${JSON.stringify(toDiskUsageReport(df))}\n`);
		return;
	}
	ctx.stdout.write(formatDiskUsage(toDiskUsageReport(df), {
		...format !== void 0 ? { format } : {},
		verbose: flagBool(ctx, "verbose"),
		imageSizeField: "VirtualSize",
		now: Date.now()
	}));
}
async function ps(ctx, p) {
	const filters = parseFilters(flagStrings(ctx, "filter"));
	const last = flagBool(ctx, "latest") ? 1 : Number(flagString(ctx, "last") ?? "-1");
	const size = flagBool(ctx, "size");
	const format = flagString(ctx, "format") ?? `table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}${size ? "	{{.Size}}" : ""}`;
	const list = await p.listContainers({
		all: flagBool(ctx, "all"),
		filters,
		size: size || format.includes(".Size"),
		...last > 0 ? { limit: last } : {}
	});
	const now = Date.now();
	const rows = list.map((c) => containerRow(c, now, !flagBool(ctx, "no-trunc")));
	ctx.stdout.write(renderRows(flagBool(ctx, "quiet") ? "{{.ID}}" : format, rows, PS_HEADER));
}
async function logs(ctx, p) {
	const tail = flagString(ctx, "tail");
	const name = ctx.args[0];
	try {
		for await (const chunk of p.containerLogs(name, {
			follow: flagBool(ctx, "follow"),
			timestamps: flagBool(ctx, "timestamps"),
			signal: ctx.signal,
			...tail !== void 0 ? { tail } : {}
		})) (chunk.stream === "stderr" ? ctx.stderr : ctx.stdout).write(chunk.data);
	} catch (err) {
		if (err instanceof StrataError && err.code === "not-found") throw new Error(`No such container: ${name}`);
		throw err;
	}
}
const CHANGE_KIND = [
	"C",
	"A",
	"D"
];
async function diff(ctx, p) {
	for (const c of await p.containerChanges(ctx.args[0])) ctx.stdout.write(`${CHANGE_KIND[c.Kind]} ${c.Path}\n`);
}
async function commit(ctx, p) {
	let repo;
	let tagName;
	if (ctx.args[1]) {
		const ref = ctx.args[1];
		const slash = ref.lastIndexOf("/");
		const colon = ref.lastIndexOf(":");
		[repo, tagName] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, void 0];
	}
	const message = flagString(ctx, "message");
	const author = flagString(ctx, "author");
	const res = await p.commitContainer(ctx.args[0], {
		...repo ? { repo } : {},
		...tagName ? { tag: tagName } : {},
		...message !== void 0 ? { comment: message } : {},
		...author !== void 0 ? { author } : {},
		pause: ctx.flags.pause !== false,
		changes: flagStrings(ctx, "change")
	});
	ctx.stdout.write(`${res.Id}\n`);
}
async function rm$1(ctx, p) {
	const errors = [];
	for (const name of ctx.args) try {
		await p.removeContainer(name, { force: flagBool(ctx, "force") });
		ctx.stdout.write(`${name}\n`);
	} catch (err) {
		errors.push(notFoundMessage(err, "container", name));
	}
	for (const e of errors) ctx.stderr.write(`${e}\n`);
	return errors.length > 0 ? 1 : 0;
}
/** The commands routed through a provider, by their path (`image prune`). */
const PROVIDER_COMMANDS = {
	images: (ctx, p) => images(ctx, p, true),
	"image ls": (ctx, p) => images(ctx, p, false),
	history,
	inspect,
	tag,
	rmi,
	"image prune": imagePrune,
	save,
	load,
	"system df": systemDf,
	ps,
	logs,
	diff,
	commit,
	rm: rm$1
};
// src/main/providers/provider.ts
function compareApiVersions(a, b) {
	const [am = 0, an = 0] = a.split(".").map(Number);
	const [bm = 0, bn = 0] = b.split(".").map(Number);
	return am - bm || an - bn;
}
var MIN_API_VERSION, MAX_API_VERSION;
var init_provider$1 = __esmMin((() => {
	MIN_API_VERSION = "1.41";
	MAX_API_VERSION = "1.41";
}));
// src/main/providers/engine-api/provider.ts
var provider_exports = /* @__PURE__ */ __exportAll({
	EngineApiProvider: () => EngineApiProvider,
	engineError: () => engineError,
	permissionFix: () => permissionFix,
	probe: () => probe
});
/** An engine's error as a StrataError: the engine's own message, the code from its HTTP status. */
function engineError(err) {
	if (err instanceof StrataError) return err;
	const e = err;
	if (typeof e.statusCode === "number") {
		const message = e.json?.message ?? (typeof e.json === "string" ? e.json : void 0) ?? e.reason ?? e.message ?? `status ${e.statusCode}`;
		return new StrataError({
			400: "invalid",
			401: "unauthorized",
			403: "permission-denied",
			404: "not-found",
			409: "conflict",
			501: "unsupported",
			503: "unavailable"
		}[e.statusCode] ?? "internal", String(message).trimEnd(), { details: { status: e.statusCode } });
	}
	if (e.code === "EACCES" || e.code === "EPERM") return new StrataError("permission-denied", e.message ?? "permission denied", { cause: err });
	if (e.code === "ENOENT" || e.code === "ECONNREFUSED" || e.code === "ECONNRESET" || e.code === "EHOSTUNREACH" || e.code === "ETIMEDOUT") return new StrataError("unavailable", e.message ?? "engine unreachable", { cause: err });
	return err instanceof Error ? err : new Error(String(err));
}
async function call(fn) {
	try {
		return await fn();
	} catch (err) {
		throw engineError(err);
	}
}
/** docker-modem's raw GET, for the response headers `/_ping` carries (API-Version). */
function ping(docker) {
	return new Promise((resolve, reject) => {
		docker.modem.dial({
			path: "/_ping",
			method: "GET",
			isStream: true,
			statusCodes: { 200: true },
			options: {}
		}, (err, res) => {
			if (err) reject(err);
			else resolve(res);
		});
	});
}
/** The fix to print for a socket the user may not open. */
function permissionFix(host) {
	if (host.includes("podman")) return "use the rootless socket ($XDG_RUNTIME_DIR/podman/podman.sock, `systemctl --user enable --now podman.socket`)";
	return "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again) or use rootless Docker ($XDG_RUNTIME_DIR/docker.sock)";
}
/**
* Looks at an engine: answers whether it can be used and at which API version. Never throws.
* The version is negotiated as the docker CLI does, from `/_ping`'s API-Version header.
*/
async function probe(endpoint, timeoutMs = 5e3) {
	let docker;
	try {
		docker = new Docker({
			...modemOptions(endpoint),
			timeout: timeoutMs
		});
	} catch (err) {
		return {
			state: "unreachable",
			message: err.message
		};
	}
	try {
		const res = await ping(docker);
		res.resume();
		const apiVersion = String(res.headers["api-version"] ?? "");
		if (!apiVersion || compareApiVersions(apiVersion, "1.41") < 0) return {
			state: "too-old",
			apiVersion,
			message: `the engine at ${endpoint.host} speaks Engine API ${apiVersion || "(unknown)"}: too old, Strata needs ${MIN_API_VERSION} or newer (Docker 20.10+, Podman 3+)`
		};
		const negotiated = compareApiVersions(apiVersion, "1.41") > 0 ? MAX_API_VERSION : apiVersion;
		const v = await new Docker({
			...modemOptions(endpoint),
			version: `v${negotiated}`,
			timeout: timeoutMs
		}).version();
		return {
			state: "reachable",
			apiVersion: negotiated,
			version: v.Version ?? "",
			os: v.Os ?? ""
		};
	} catch (err) {
		const e = engineError(err);
		if (e instanceof StrataError && e.code === "permission-denied") return {
			state: "permission-denied",
			message: `permission denied while trying to connect to the Docker daemon socket at ${endpoint.host}`,
			fix: permissionFix(endpoint.host)
		};
		return {
			state: "unreachable",
			message: `Cannot connect to the Docker daemon at ${endpoint.host}. Is the docker daemon running? (${e.message})`
		};
	}
}
/** Reads a JSON-lines body (load, pull, build progress) one message at a time. */
async function* jsonLines(stream) {
	let buf = "";
	for await (const chunk of stream) {
		buf += chunk.toString("utf8");
		let nl;
		while ((nl = buf.indexOf("\n")) >= 0) {
			const line = buf.slice(0, nl).trim();
			buf = buf.slice(nl + 1);
			if (line) yield JSON.parse(line);
		}
	}
	if (buf.trim()) yield JSON.parse(buf);
}
/** Docker's stdcopy framing: an 8-byte header (stream, 0, 0, 0, big-endian length) per frame. */
async function* demultiplex(source) {
	let buf = Buffer.alloc(0);
	for await (const chunk of source) {
		buf = buf.length ? Buffer.concat([buf, chunk]) : Buffer.from(chunk);
		while (buf.length >= 8) {
			const size = buf.readUInt32BE(4);
			if (buf.length < 8 + size) break;
			yield {
				stream: buf[0] === 2 ? "stderr" : "stdout",
				data: buf.subarray(8, 8 + size)
			};
			buf = buf.subarray(8 + size);
		}
	}
}
function asStream(body) {
	return Buffer.isBuffer(body) ? Readable.from([body]) : body;
}
var EngineApiProvider;
var init_provider = __esmMin((() => {
	init_errors$2();
	init_provider$1();
	init_endpoint();
	EngineApiProvider = class EngineApiProvider {
		kind = "engine-api";
		name;
		apiVersion;
		docker;
		constructor(name, docker, apiVersion) {
			this.name = name;
			this.docker = docker;
			this.apiVersion = apiVersion;
		}
		/** Connects after negotiating the API version; a refused, unreachable or too old engine is one clear StrataError. */
		static async connect(endpoint, name = endpoint.host) {
			const state = await probe(endpoint);
			if (state.state === "too-old") throw new StrataError("unsupported", state.message);
			if (state.state === "permission-denied") throw new StrataError("permission-denied", `${state.message}: ${state.fix}`);
			if (state.state === "unreachable") throw new StrataError("unavailable", state.message);
			return new EngineApiProvider(name, new Docker({
				...modemOptions(endpoint),
				version: `v${state.apiVersion}`
			}), state.apiVersion);
		}
		listImages(o) {
			return call(() => this.docker.listImages({
				all: o.all ?? false,
				...o.digests ? { digests: true } : {},
				filters: JSON.stringify(o.filters ?? {})
			}));
		}
		inspectImage(name) {
			return call(() => this.docker.getImage(name).inspect());
		}
		imageHistory(name) {
			return call(() => this.docker.getImage(name).history());
		}
		async tagImage(source, target) {
			const slash = target.lastIndexOf("/");
			const colon = target.lastIndexOf(":");
			const [repo, tag] = colon > slash ? [target.slice(0, colon), target.slice(colon + 1)] : [target, "latest"];
			await call(() => this.docker.getImage(source).tag({
				repo,
				tag
			}));
		}
		removeImage(name, o) {
			return call(() => this.docker.getImage(name).remove({
				force: o.force ?? false,
				noprune: o.noPrune ?? false
			}));
		}
		pruneImages(filters) {
			return call(() => this.docker.pruneImages({ filters: JSON.stringify(filters) }));
		}
		saveImages(names) {
			return call(async () => {
				return names.length === 1 ? await this.docker.getImage(names[0]).get() : await this.docker.getImages({ names });
			});
		}
		async *loadImages(archive, o) {
			yield* jsonLines(await call(() => this.docker.loadImage(archive, { quiet: o.quiet ?? false })));
		}
		systemDf() {
			return call(() => this.docker.df());
		}
		listContainers(o) {
			return call(() => this.docker.listContainers({
				all: o.all ?? false,
				size: o.size ?? false,
				filters: JSON.stringify(o.filters ?? {}),
				...o.limit !== void 0 ? { limit: o.limit } : {}
			}));
		}
		inspectContainer(id) {
			return call(() => this.docker.getContainer(id).inspect());
		}
		async *containerLogs(id, o) {
			const info = await this.inspectContainer(id);
			const container = this.docker.getContainer(id);
			const opts = {
				stdout: true,
				stderr: true,
				timestamps: o.timestamps ?? false,
				tail: o.tail ?? "all",
				...o.since ? { since: o.since } : {},
				...o.until ? { until: o.until } : {}
			};
			const body = await call(() => o.follow ? container.logs({
				...opts,
				follow: true
			}) : container.logs({
				...opts,
				follow: false
			}));
			if (info.Config?.Tty) for await (const data of asStream(body)) yield {
				stream: "stdout",
				data
			};
			else yield* demultiplex(asStream(body));
		}
		containerChanges(id) {
			return call(async () => await this.docker.getContainer(id).changes() ?? []);
		}
		commitContainer(id, o) {
			return call(() => this.docker.getContainer(id).commit({
				...o.repo ? { repo: o.repo } : {},
				...o.tag ? { tag: o.tag } : {},
				...o.comment ? { comment: o.comment } : {},
				...o.author ? { author: o.author } : {},
				pause: o.pause ?? true,
				...o.changes?.length ? { changes: o.changes } : {}
			}));
		}
		async removeContainer(id, o) {
			await call(() => this.docker.getContainer(id).remove({
				force: o.force ?? false,
				v: o.volumes ?? false,
				link: o.link ?? false
			}));
		}
		async *events(o) {
			const stream = await call(() => this.docker.getEvents({
				...o.since ? { since: o.since } : {},
				...o.until ? { until: o.until } : {},
				filters: JSON.stringify(o.filters ?? {})
			}));
			o.signal?.addEventListener("abort", () => stream.destroy(), { once: true });
			try {
				for await (const m of jsonLines(stream)) yield m;
			} catch (err) {
				if (!o.signal?.aborted) throw engineError(err);
			}
		}
		close() {}
	};
}));
// src/main/providers/discovery.ts
init_errors$2();
init_endpoint();
/** `-H URL`: TLS from the environment for tcp://, as the docker CLI. */
function hostEndpoint(host, env = process.env) {
	const tls = host.startsWith("tcp://") ? tlsFromEnv(env) : void 0;
	return {
		host,
		...tls ? { tls } : {}
	};
}
/**
* Which engine a command talks to: `-H` first, then `--context`, then the current context.
* undefined means Strata's own store (the "default" context).
*/
function selectEndpoint(o, env = process.env) {
	if (o.host) return {
		name: o.host,
		endpoint: hostEndpoint(o.host, env)
	};
	const name = o.context ?? o.current;
	if (name === "default") return void 0;
	const ctx = getContext(name, env);
	if (!ctx.host) throw new StrataError("invalid", `context "${name}" has no docker endpoint`);
	return {
		name,
		endpoint: contextEndpoint(ctx, env)
	};
}
// src/main/cli/main.ts
init_last_resort();
init_db();
/**
* Commands that free space: on a full disk they may spend the store's space reserve, so that
* their own database writes have room (see releaseSpaceReserve).
*/
const FREES_SPACE = [
	"rmi",
	"image prune",
	"system gc",
	"builder prune",
	"rm",
	"container prune"
];
/**
* Errors nothing caught (an 'error' event of a stream no one listens to, a throw in a callback)
* while a command runs end that command like any other error: one line, status 1.
*/
let uncaught;
const GLOBAL_HELP = `Usage:  strata [--root DIR | -H HOST | --context NAME] COMMAND

A daemonless, rootless image manager with docker's commands and output.

Options:
      --root DIR       Store directory (default: $STRATA_ROOT or the per-user data directory)
  -H, --host URL       Talk to a Docker Engine API instead of the Strata store (unix://, tcp://, ssh://)
  -c, --context NAME   Use a docker context ("default": the Strata store; see strata context ls)
  -h, --help           Print usage
`;
/** The value of a global flag given as `-H URL`, `-H=URL`, `--host URL` or `--host=URL`. */
function flagValue(a, argv, names) {
	for (const n of names) {
		if (a === n) return argv.shift() ?? "";
		if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
	}
}
/** Finds the command whose path (or alias) is the longest prefix of argv. */
function findCommand(argv) {
	let best;
	for (const command of COMMANDS) for (const path of [command.path, ...command.aliases ?? []]) if (path.length <= argv.length && path.every((w, i) => argv[i] === w) && (!best || path.length > best.len)) best = {
		command,
		rest: argv.slice(path.length),
		len: path.length
	};
	return best && {
		command: best.command,
		rest: best.rest
	};
}
function helpFor(c) {
	const lines = [
		`Usage:  ${c.usage}`,
		"",
		c.description,
		""
	];
	if (c.aliases?.length) lines.push("Aliases:", `  ${[c.path, ...c.aliases].map((p) => p.join(" ")).join(", ")}`, "");
	if (c.flags.length) {
		lines.push("Options:");
		for (const f of c.flags) {
			const left = `${f.short ? `-${f.short}, ` : "    "}--${f.name}${f.type === "bool" ? "" : ` ${f.value ?? (f.type === "strings" ? "list" : "string")}`}`;
			lines.push(`  ${left.padEnd(28)} ${f.description}`);
		}
	}
	return `${lines.join("\n")}\n`;
}
function commandList() {
	const rows = COMMANDS.map((c) => `  ${c.path.join(" ").padEnd(20)} ${c.description}`).sort();
	return `${GLOBAL_HELP}\nCommands:\n${rows.join("\n")}\n`;
}
async function main(argv, io = process) {
	const global = { root: defaultRoot() };
	while (argv[0]?.startsWith("-")) {
		const a = argv.shift();
		let v;
		if ((v = flagValue(a, argv, ["--root"])) !== void 0) global.root = v;
		else if ((v = flagValue(a, argv, ["-H", "--host"])) !== void 0) global.host = v;
		else if ((v = flagValue(a, argv, ["-c", "--context"])) !== void 0) global.context = v;
		else if (a === "-h" || a === "--help") {
			io.stdout.write(commandList());
			return 0;
		} else if (a === "-v" || a === "--version") {
			io.stdout.write("strata version 0.1.0\n");
			return 0;
		} else {
			io.stderr.write(`unknown flag: ${a}\nSee 'strata --help'.\n`);
			return 125;
		}
	}
	if (argv.length === 0) {
		io.stdout.write(commandList());
		return 0;
	}
	const found = findCommand(argv);
	if (!found) {
		io.stderr.write(`strata: '${argv.join(" ")}' is not a strata command.\nSee 'strata --help'\n`);
		return 1;
	}
	const { command, rest } = found;
	if (rest.includes("--help") || rest.includes("-h") && !command.flags.some((f) => f.short === "h")) {
		io.stdout.write(helpFor(command));
		return 0;
	}
	if (global.host !== void 0 && global.context !== void 0) {
		io.stderr.write("Conflicting options: either specify --host or --context, not both\n");
		return 1;
	}
	const root = global.root;
	let engine;
	let provider;
	const abort = new AbortController();
	const onSignal = () => abort.abort(/* @__PURE__ */ new Error("interrupted"));
	process.once("SIGINT", onSignal);
	process.once("SIGTERM", onSignal);
	try {
		const parsed = parseArgs(rest, command.flags, command.interspersed ?? true);
		const name = command.path.join(" ");
		if (command.minArgs !== void 0 && parsed.args.length < command.minArgs) throw new UsageError(`"strata ${name}" requires ${command.minArgs === 1 ? "at least 1 argument" : `at least ${command.minArgs} arguments`}.\nSee 'strata ${name} --help'.\n\nUsage:  ${command.usage}`);
		if (command.maxArgs !== void 0 && parsed.args.length > command.maxArgs) throw new UsageError(`"strata ${name}" accepts ${command.maxArgs === 0 ? "no arguments" : `at most ${command.maxArgs} argument${command.maxArgs === 1 ? "" : "s"}`}.\nSee 'strata ${name} --help'.\n\nUsage:  ${command.usage}`);
		const ctx = {
			...parsed,
			root,
			stdout: io.stdout,
			stderr: io.stderr,
			stdin: io.stdin,
			signal: abort.signal,
			engine: () => engine ??= Engine.open({ root })
		};
		const escaped = new Promise((_, reject) => {
			uncaught = (err) => {
				abort.abort(err);
				reject(err);
			};
		});
		const selected = command.path[0] === "context" ? void 0 : selectEndpoint({
			...global,
			current: currentContext()
		});
		if (!selected) {
			if (FREES_SPACE.includes(name)) releaseSpaceReserve(join(resolve(root), "strata.db"));
			return await Promise.race([command.run(ctx), escaped]) ?? 0;
		}
		const routed = PROVIDER_COMMANDS[name];
		if (!routed) throw new Error(`"strata ${name}" is not supported against an Engine API provider yet`);
		const { EngineApiProvider } = await Promise.resolve().then(() => (init_provider(), provider_exports));
		provider = await EngineApiProvider.connect(selected.endpoint, selected.name);
		return await Promise.race([routed(ctx, provider), escaped]) ?? 0;
	} catch (caught) {
		const err = provider ? caught : explainDiskFull(caught, resolve(root));
		if (provider && !(err instanceof UsageError)) {
			if (process.env.STRATA_DEBUG) io.stderr.write(`${err?.stack ?? String(err)}
`);
			io.stderr.write(`${daemonMessage(err)}
`);
			return 1;
		}
		return reportError(io.stderr, err);
	} finally {
		uncaught = void 0;
		process.off("SIGINT", onSignal);
		process.off("SIGTERM", onSignal);
		if (engine) {
			engine.close();
			ensureSpaceReserve(join(engine.root, "strata.db"));
		}
		provider?.close();
	}
}
function oneLine(err) {
	return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}
if (import.meta.main) {
	let escapedOnce = false;
	setLastResort((err) => {
		escapedOnce = true;
		if (uncaught) return uncaught(err);
		if (process.env.STRATA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
		process.stderr.write(`Error: ${oneLine(err)}\n`);
		process.exit(1);
	});
	const code = await main(process.argv.slice(2));
	process.exitCode = code;
	if (escapedOnce) process.exit(code);
}
export { findCommand, main };
