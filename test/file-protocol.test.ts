import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFileReply, parseFileReply } from '../src/services/file-protocol';

const parse = (text: string) => parseFileReply(Buffer.from(text, 'latin1'));

describe('file service replies', () => {
  it('parses OK with its body', () => {
    const reply = parse('OK 5\nhello');
    assert.equal(reply.kind, 'ok');
    assert.equal(describeFileReply(reply), 'OK 5 with 5 bytes');
  });

  it('parses OK 0 with no body', () => {
    assert.deepEqual({ ...parse('OK 0\n'), raw: undefined }, { kind: 'ok', declaredSize: 0, body: Buffer.alloc(0), raw: undefined });
  });

  it('parses ERR with its code and text', () => {
    const reply = parse('ERR NOT_FOUND no such file\n');
    assert.equal(reply.kind === 'err' && reply.code, 'NOT_FOUND');
    assert.equal(describeFileReply(reply), 'ERR NOT_FOUND no such file');
  });

  it('calls a body shorter or longer than declared malformed', () => {
    assert.match(describeFileReply(parse('OK 10\nshort')), /declared 10 bytes but sent 5/);
    assert.match(describeFileReply(parse('OK 1\nlonger')), /declared 1 bytes but sent 6/);
  });

  it('calls anything else malformed, quoting it', () => {
    assert.match(describeFileReply(parse('HTTP/1.0 200 OK\n')), /neither "OK <size>" nor "ERR <CODE> <text>"/);
    assert.match(describeFileReply(parse('')), /no newline-terminated status line/);
    assert.match(describeFileReply(parse('ERR NOT_FOUND x\nsecret')), /sent 6 bytes after the ERR line/);
  });
});
