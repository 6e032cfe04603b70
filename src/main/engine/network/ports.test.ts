import { describe, expect, it } from 'vitest';
import { displayablePorts, networkPorts, parsePublishSpec, parsePublishSpecs, portLines, portSummaries, requestedBindings } from './ports.ts';

describe('-p specs (go-connections nat.ParsePortSpec)', () => {
  it('reads every form docker accepts', () => {
    expect(parsePublishSpec('80')).toEqual([{ port: '80/tcp', binding: { HostIp: '', HostPort: '' } }]);
    expect(parsePublishSpec('8080:80')).toEqual([{ port: '80/tcp', binding: { HostIp: '', HostPort: '8080' } }]);
    expect(parsePublishSpec('127.0.0.1:8080:80/udp')).toEqual([{ port: '80/udp', binding: { HostIp: '127.0.0.1', HostPort: '8080' } }]);
    expect(parsePublishSpec('127.0.0.1::80')).toEqual([{ port: '80/tcp', binding: { HostIp: '127.0.0.1', HostPort: '' } }]);
    expect(parsePublishSpec('[::1]:8080:80/TCP')).toEqual([{ port: '80/tcp', binding: { HostIp: '::1', HostPort: '8080' } }]);
    expect(parsePublishSpec('8000-8001:80-81')).toEqual([
      { port: '80/tcp', binding: { HostIp: '', HostPort: '8000' } },
      { port: '81/tcp', binding: { HostIp: '', HostPort: '8001' } },
    ]);
    // A host range with one container port: one free port of the range.
    expect(parsePublishSpec('8000-8010:80')).toEqual([{ port: '80/tcp', binding: { HostIp: '', HostPort: '8000-8010' } }]);
    expect(parsePublishSpecs(['8080:80', '127.0.0.1:9090:80'])).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '9090' }] });
  });

  it('refuses what docker refuses, with its words', () => {
    expect(() => parsePublishSpec('80:http')).toThrow('invalid containerPort: http');
    expect(() => parsePublishSpec('x:80')).toThrow('invalid hostPort: x');
    expect(() => parsePublishSpec('1.2.3:8080:80')).toThrow('invalid IP address: 1.2.3');
    expect(() => parsePublishSpec('80/icmp')).toThrow('invalid proto: icmp');
    expect(() => parsePublishSpec('8000-8002:80-81')).toThrow('invalid ranges specified for container and host Ports: 80-81 and 8000-8002');
    expect(() => parsePublishSpec('70000:80')).toThrow('invalid hostPort: 70000');
    expect(() => parsePublishSpec('8080:')).toThrow('no port specified: 8080:<empty>');
  });
});

describe('what a container publishes', () => {
  it('-P adds every exposed port not bound otherwise', () => {
    expect(requestedBindings({ '80/tcp': {}, '443/tcp': {} }, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] }, true)).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
      '443/tcp': [{ HostIp: '', HostPort: '' }],
    });
    expect(requestedBindings({ '80/tcp': {} }, undefined, false)).toEqual({});
  });

  it('NetworkSettings.Ports: exposed ports are null, published ones carry their bindings, in port order', () => {
    const ports = networkPorts({ '443/tcp': {}, '80/tcp': {} }, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
    expect(Object.keys(ports)).toEqual(['80/tcp', '443/tcp']);
    expect(ports['443/tcp']).toBeNull();
  });
});

describe("docker's PORTS column and `port` output", () => {
  const map = {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }],
    '443/tcp': null,
    '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
  };

  it('groups same-port mappings into ranges and lists the others after them', () => {
    expect(displayablePorts(portSummaries(map))).toBe('443/tcp, 127.0.0.1:5353->53/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
    const ranged = portSummaries({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }], '81/tcp': [{ HostIp: '0.0.0.0', HostPort: '81' }], '82/tcp': null, '83/tcp': null });
    expect(displayablePorts(ranged)).toBe('0.0.0.0:80-81->80-81/tcp, 82-83/tcp');
    expect(displayablePorts([])).toBe('');
  });

  it('`port` lists each binding in natural order, or one port’s addresses', () => {
    expect(portLines(map, 'web')).toEqual(['53/udp -> 127.0.0.1:5353', '80/tcp -> 0.0.0.0:8080', '80/tcp -> [::]:8080']);
    expect(portLines(map, 'web', '80')).toEqual(['0.0.0.0:8080', '[::]:8080']);
    expect(() => portLines(map, 'web', '443/tcp')).toThrow("Error: No public port '443/tcp' published for web");
    expect(() => portLines(map, 'web', '53')).toThrow("Error: No public port '53' published for web");
    expect(() => portLines(map, 'web', 'x')).toThrow('Error: invalid port (x)');
  });
});
