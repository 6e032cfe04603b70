/**
 * The registry service's public surface (CLI, Electron main process, browser host): pull and push
 * over the distribution API, login/logout, and the credential store the desktop app replaces with
 * one backed by Electron's safeStorage.
 */
export { pull, pullAllTags, type PullOptions, type PullResult, type PullAllTagsResult } from './pull.ts';
export { push, pushAllTags, type PushOptions, type PushResult } from './push.ts';
export { login, logout, loginRegistry } from './login.ts';
export {
  DockerConfigCredentialStore, dockerConfigDir, authKey,
  type CredentialStore, type Credentials,
} from './credentials.ts';
export { CredentialHelper, CredentialHelperError } from './credential-helper.ts';
export { SealedCredentialStore, type Sealer } from './sealed-credentials.ts';
export type { RegistryOptions } from './session.ts';
export { RegistryError, UnauthorizedError } from './errors.ts';
export { parsePlatform, formatPlatform } from './platform.ts';
export { readRegistrySettings, type RegistrySettings } from './settings.ts';
