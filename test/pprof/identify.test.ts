import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeInput } from '../../src/pprof/input.js';
import { synthProfile } from '../synth.js';
import { failure } from './craft.js';

const TAKE = 'take one from /debug/pprof/heap or go test -memprofile';
const HTML_PAGE =
  'an HTML page (an error or login page?), not a heap profile: ' +
  'fetch /debug/pprof/heap itself, or use go test -memprofile';
const unsupported = (message: string): [string, string] => ['UnsupportedProfileError', message];
const name = (input: string | Uint8Array): [string, string] =>
  failure(() => decodeInput(typeof input === 'string' ? Buffer.from(input) : input));

/** A tar archive's first header block: a file name, then "ustar" at byte 257. */
function tar(): Uint8Array {
  const block = Buffer.alloc(1024);
  block.write('heap.pb.gz', 0);
  block.write('0000644\0', 100);
  block.write('ustar\x0000', 257);
  return block;
}

describe('a file of another kind is named in one line', () => {
  it.each([
    ['a goroutine profile', 'goroutine profile: total 4\n1 @ 0x43d0ce 0x40b9e4\n', 'a text goroutine profile'],
    [
      'a goroutine dump (debug=2)',
      'goroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d\n',
      'a goroutine stack dump (debug=2)',
    ],
    ['a threadcreate profile', 'threadcreate profile: total 7\n', 'a text threadcreate profile'],
    ['a mutex profile', '--- mutex:\ncycles/second=2000000000\nsampling period=1\n', 'a text mutex profile'],
    ['a block profile', '--- contention:\ncycles/second=2000000000\n', 'a text block profile'],
  ])('%s', (_, input, kind) => {
    expect(name(input)).toEqual(unsupported(`${kind}, not a heap profile: take one from /debug/pprof/heap?debug=1`));
  });

  it.each([
    [
      'a gperftools heap profile',
      'heap profile:   1:  262144 [  1:  262144] @ heapprofile\n',
      'a tcmalloc (C/C++) heap profile',
    ],
    [
      'a tcmalloc heap_v2 profile',
      'heap profile: 1: 262144 [1: 262144] @ heap_v2/524288\n',
      'a tcmalloc (C/C++) heap profile',
    ],
    ['a jemalloc profile', 'heap_v2/524288\n  t*: 28106: 56637512 [0: 0]\n', 'a jemalloc heap profile'],
    [
      'a Java heap dump',
      Buffer.concat([Buffer.from('JAVA PROFILE 1.0.2\0'), Buffer.alloc(16)]),
      'a Java heap dump (hprof)',
    ],
    [
      'a JFR recording',
      Buffer.concat([Buffer.from('FLR\0'), Buffer.from([0, 2, 0, 1])]),
      'a Java Flight Recorder recording (JFR)',
    ],
    ['a .NET trace', 'Nettrace\x14\x00\x00\x00!FastSerialization.1', 'a .NET EventPipe trace (nettrace)'],
    [
      'a V8 heap snapshot',
      '{"snapshot":{"meta":{"node_fields":["type"]}}}',
      'a V8 heap snapshot (.heapsnapshot, from Chrome or Node.js)',
    ],
    [
      'a V8 sampling heap profile',
      '{\n  "head": {"callFrame": {"functionName": "(root)"}}}',
      'a V8 sampling heap profile (.heapprofile, from Chrome or Node.js)',
    ],
    [
      'a V8 CPU profile',
      '{"nodes":[{"id":1}],"startTime":0,"endTime":1,"samples":[],"timeDeltas":[]}',
      'a V8 CPU profile (.cpuprofile, from Chrome or Node.js)',
    ],
    ['a Chrome trace', '{"traceEvents":[]}', 'a Chrome trace (Trace Event Format)'],
    [
      'a Java heap profile',
      '--- heapz 1 ---\nformat = java\nresolution = bytes\n 7048 1 @ 0x3\n',
      'a Java heap profile (text)',
    ],
    ['a Java contention profile', '--- contentionz 1 ---\nformat = java\n', 'a Java profile (text)'],
  ])('%s', (_, input, kind) => {
    expect(name(input)).toEqual(unsupported(`${kind}, not a Go heap profile: ${TAKE}`));
  });

  it.each([
    [
      'the program itself',
      Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(64)]),
      'an ELF executable, not a heap profile: give the program as --binary and its heap profile as the argument',
    ],
    ['a gzipped tar archive', gzipSync(tar()), 'a tar archive, not a heap profile: extract the profile from it'],
    ['an error page', '<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n', HTML_PAGE],
    ['a bare HTML page', '\n  <html><head><title>Login</title></head></html>', HTML_PAGE],
    ['an XML document', '<?xml version="1.0"?><error/>', `an XML document, not a heap profile: ${TAKE}`],
    ['other JSON', '{"error": "profiling is disabled"}', `a JSON document, not a heap profile: ${TAKE}`],
    [
      "net/http's 404",
      '404 page not found\n',
      `a text file, not a heap profile (it starts with "404 page not found"): ${TAKE}`,
    ],
    [
      'a long line of text',
      `${'x'.repeat(100)}\n`,
      `a text file, not a heap profile (it starts with "${'x'.repeat(40)}…"): ${TAKE}`,
    ],
    ['blank text', ' \n\n\t\r\n', `a text file of only blank space, not a heap profile: ${TAKE}`],
    [
      'a heap header Go does not write',
      'heap profile: 1: 2 [3: 4] @ heap/x\n',
      `a text heap profile with a header Go does not write ("heap profile: 1: 2 [3: 4] @ heap/x"): ${TAKE}`,
    ],
  ])('%s', (_, input, message) => {
    expect(name(input)).toEqual(unsupported(message));
  });

  it('gzipped, blank for longer than the start checked before inflating it all', () => {
    expect(name(gzipSync(Buffer.alloc(4 * 1024 * 1024, ' ')))).toEqual(
      unsupported(`a text file of only blank space, not a heap profile: ${TAKE}`),
    );
    expect(name(gzipSync(`${'\n'.repeat(1024 * 1024)}threadcreate profile: total 7\n`))).toEqual(
      unsupported('a text threadcreate profile, not a heap profile: take one from /debug/pprof/heap?debug=1'),
    );
  });

  it('gzipped, before inflating it all', () => {
    expect(name(gzipSync(Buffer.from('goroutine profile: total 4\n')))).toEqual(
      unsupported('a text goroutine profile, not a heap profile: take one from /debug/pprof/heap?debug=1'),
    );
  });
});

describe('protobuf', () => {
  // An OTLP profiles export (opentelemetry-proto, profiles/v1development), cut to what shows its shape.
  const otlp = protobuf
    .parse(
      `
    syntax = "proto3";
    message ExportProfilesServiceRequest {
      repeated ResourceProfiles resource_profiles = 1;
      ProfilesDictionary dictionary = 2;
    }
    message ResourceProfiles {
      Resource resource = 1;
      repeated ScopeProfiles scope_profiles = 2;
      string schema_url = 3;
    }
    message Resource { repeated KeyValue attributes = 1; }
    message KeyValue { string key = 1; string value = 2; }
    message ScopeProfiles { repeated Profile profiles = 2; }
    message Profile { repeated int32 sample_type = 1; bytes profile_id = 5; }
    message ProfilesDictionary { repeated string string_table = 5; }
  `,
      { keepCase: true },
    )
    .root.lookupType('ExportProfilesServiceRequest');

  it('an OTLP export is named by a walk of its fields, not by where the pprof decoder stopped', () => {
    const request = otlp
      .encode(
        otlp.fromObject({
          resource_profiles: [
            {
              resource: { attributes: [{ key: 'service.name', value: 'api' }] },
              scope_profiles: [{ profiles: [{ sample_type: [1] }] }],
            },
          ],
          dictionary: { string_table: ['', 'alloc_space'] },
        }),
      )
      .finish();
    expect(name(request)).toEqual(unsupported(`an OpenTelemetry (OTLP) profiles export, not a pprof profile: ${TAKE}`));
    // A message whose field 1 holds messages that are not sample types, but of another shape than OTLP's.
    const other = Uint8Array.of(0x0a, 0x03, 0x0a, 0x01, 0x41);
    expect(name(other)).toEqual(
      unsupported(`a protobuf message that is not a pprof profile (its field 1 does not hold sample types): ${TAKE}`),
    );
  });

  it.each([
    [
      'a varint where a profile has sample types',
      Uint8Array.of(0x08, 0x96, 0x01),
      "its field 1 is a number where a profile's sample_type is bytes or a message",
    ],
    [
      'only unknown fields',
      Uint8Array.of(0xa2, 0x01, 0x01, 0x41),
      'no field 1, where a profile declares its sample types',
    ],
  ])('%s', (_, input, reason) => {
    expect(name(input)).toEqual(unsupported(`a protobuf message that is not a pprof profile (${reason}): ${TAKE}`));
  });

  it('a pprof profile with a broken part keeps the decoder’s word', () => {
    const broken = Buffer.concat([
      synthProfile([['inuse_space', 'bytes']], [{ stack: [['main.f', 1]], values: [1] }]),
      Uint8Array.of(0x22, 0x02, 0x12, 0x00),
    ]);
    expect(name(broken)).toEqual([
      'DecodeError',
      'not a pprof profile: protobuf field 2 of a Location has wire type 2 where a profile has 0',
    ]);
  });

  it('bytes that are not protobuf keep the decoder’s word', () => {
    expect(name(Uint8Array.of(0x0a, 0x05, 0x08))).toEqual([
      'DecodeError',
      'not a pprof profile: the protobuf data is truncated or corrupt ' +
        '(a field of 5 bytes runs past the end of the data)',
    ]);
  });
});
