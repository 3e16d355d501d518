// The pgoutput messages the library cannot parse (protocol 2 streaming), built
// byte by byte as the protocol documentation lays them out.
import { describe, expect, it } from 'vitest';
import { StreamingPgoutputPlugin } from '../../src/cdc/pgoutput-plugin.ts';
import { changedLinks } from '../../src/cdc/change-pipeline.ts';

const u8 = (n: number) => Buffer.from([n]);
const i16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const i32 = (n: number) => { const b = Buffer.alloc(4); if (n < 0) b.writeInt32BE(n); else b.writeUInt32BE(n); return b; };
const i64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(n); return b; };
const str = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), u8(0)]);
const tag = (c: string) => Buffer.from(c, 'latin1');
const XID = 7_654_321;

function message(prefix: string, content: Buffer, xid?: number): Buffer {
  return Buffer.concat([tag('M'), ...(xid === undefined ? [] : [i32(xid)]), u8(1), i64(0x1_0000_00a0n), str(prefix), i32(content.length), content]);
}

function relation(xid: number): Buffer {
  return Buffer.concat([tag('R'), i32(xid), i32(16_400), str('healthengine'), str('resync_request'), tag('d'), i16(1),
    u8(1), str('request_id'), i32(23), i32(-1)]);
}

describe('pgoutput protocol 2 streaming', () => {
  it('reads stream start, stop, commit and abort', () => {
    const p = new StreamingPgoutputPlugin({ publicationNames: ['x'], streaming: true });
    expect(p.parse(Buffer.concat([tag('S'), i32(XID), u8(1)]))).toEqual({ tag: 'stream_start', xid: XID, firstSegment: true });
    expect(p.parse(tag('E'))).toEqual({ tag: 'stream_stop' });
    const commit = p.parse(Buffer.concat([tag('c'), i32(XID), u8(0), i64(0x2_0000_0010n), i64(0x2_0000_0048n), i64(1_000_000n)]));
    expect(commit).toEqual({ tag: 'stream_commit', xid: XID, commitLsn: '2/10', commitEndLsn: '2/48', commitTime: 946_684_801_000_000n });
    expect(p.parse(Buffer.concat([tag('A'), i32(XID), i32(XID + 3)]))).toEqual({ tag: 'stream_abort', xid: XID, subXid: XID + 3 });
  });

  it('reads the transaction id of messages and row changes inside a stream block only', () => {
    const p = new StreamingPgoutputPlugin({ publicationNames: ['x'], streaming: true });
    const content = Buffer.from([0x41, 0x70, 1, 2, 3]);
    const outside = p.parse(message('healthengine.change', content)) as { xid?: number; prefix: string; content: Uint8Array; transactional: boolean };
    expect(outside).toMatchObject({ tag: 'message', xid: undefined, prefix: 'healthengine.change', transactional: true });
    expect(Buffer.from(outside.content)).toEqual(content);

    p.parse(Buffer.concat([tag('S'), i32(XID), u8(1)]));
    const inside = p.parse(message('healthengine.change', content, XID + 1)) as { xid?: number; content: Uint8Array };
    expect(inside).toMatchObject({ tag: 'message', xid: XID + 1, prefix: 'healthengine.change' });
    expect(Buffer.from(inside.content)).toEqual(content);

    expect(p.parse(relation(XID))).toMatchObject({ tag: 'relation', xid: XID, schema: 'healthengine', name: 'resync_request' });
    const insert = p.parse(Buffer.concat([tag('I'), i32(XID), i32(16_400), tag('N'), i16(1), tag('t'), i32(2), Buffer.from('42')]));
    expect(insert).toMatchObject({ tag: 'insert', xid: XID, relation: { name: 'resync_request' }, new: { request_id: 42 } });
    p.parse(tag('E'));
    // after the block, the protocol-1 layout again
    const after = p.parse(Buffer.concat([tag('I'), i32(16_400), tag('N'), i16(1), tag('t'), i32(1), Buffer.from('7')]));
    expect(after).toMatchObject({ tag: 'insert', new: { request_id: 7 } });
    expect((after as { xid?: number }).xid).toBeUndefined();
  });

  it('refuses a message whose content overruns it, naming the length', () => {
    const p = new StreamingPgoutputPlugin({ publicationNames: ['x'], streaming: false });
    const bad = message('healthengine.change', Buffer.from([1, 2, 3]));
    bad.writeInt32BE(300, bad.length - 3 - 4);
    expect(() => p.parse(bad)).toThrow(/300 bytes/);
  });
});

describe('links a streamed plan may have missed', () => {
  const link = (linkId: number, generation = 1, locationIds = ['1'], enabled = true) => ({ linkId, generation, enabled, locationIds });
  it('are the enabled links added, re-linked, re-enabled or re-scoped since the plan', () => {
    const before = [link(1), link(2), link(3, 1, ['1'], false), link(4, 1, ['1', '2'])];
    const now = [link(1), link(2, 2), link(3), link(4, 1, ['1']), link(5), link(6, 1, ['1'], false)];
    expect(changedLinks(before, now)).toEqual([2, 3, 4, 5]);
  });
});
