// pgoutput with large transactions streamed while they are being written.
// pg-logical-replication 2.5.0 speaks protocol 1 only: it neither asks for
// `streaming` nor parses the stream messages. Without streaming, a 200,000-row
// statement reaches the connector only after it commits, so all of its
// decoding and planning comes after the write instead of during it.
//
// Protocol 2 (PostgreSQL 14+): once the walsender's reorder buffer passes
// logical_decoding_work_mem it sends the largest open transaction in blocks
// (Stream Start 'S' xid first-segment ... Stream Stop 'E'), where every change,
// relation, type and message carries its (sub)transaction id after the tag;
// later Stream Commit 'c' or Stream Abort 'A' ends it. Transactions that stay
// small arrive as before (Begin ... Commit), interleaved with the blocks.
// https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
import type { Client } from 'pg';
import { PgoutputPlugin } from 'pg-logical-replication';

export type StreamControlMessage =
  | { tag: 'stream_start'; xid: number; firstSegment: boolean }
  | { tag: 'stream_stop' }
  | { tag: 'stream_commit'; xid: number; commitLsn: string | null; commitEndLsn: string | null; commitTime: bigint }
  | { tag: 'stream_abort'; xid: number; subXid: number };

/** A logical decoding message ('M'); `xid` is set inside a stream block. */
export interface LogicalMessage {
  tag: 'message';
  xid?: number;
  transactional: boolean;
  prefix: string;
  content: Uint8Array;
}

export interface PgoutputStreamingOptions {
  publicationNames: readonly string[];
  /** protocol 2 with `streaming 'on'`; off gives protocol 1, exactly what the library would send */
  streaming: boolean;
}

/** Message tags that carry a transaction id after the tag inside a stream block ('M' too, parsed apart). */
const XID_IN_STREAM = new Set([0x52 /*R*/, 0x59 /*Y*/, 0x49 /*I*/, 0x55 /*U*/, 0x44 /*D*/, 0x54 /*T*/]);
const TEXT = new TextDecoder();

/** Structurally the library's plugin: LogicalReplicationService calls name, start() and parse(). */
export class StreamingPgoutputPlugin {
  readonly name = 'pgoutput';
  /** the library's protocol-1 parser, for everything but the messages above */
  private readonly rows: PgoutputPlugin;
  private inBlock = false;
  /** prefixes seen, by their bytes: a bulk statement sends the same prefix once per row */
  private readonly prefixes = new Map<string, string>();
  private readonly o: PgoutputStreamingOptions;

  constructor(opts: PgoutputStreamingOptions) {
    this.o = opts;
    this.rows = new PgoutputPlugin({ protoVersion: 1, publicationNames: [...opts.publicationNames] });
  }

  start(client: Client, slotName: string, lastLsn: string): Promise<unknown> {
    const options = [
      `proto_version '${this.o.streaming ? 2 : 1}'`,
      `publication_names '${this.o.publicationNames.join(',')}'`,
      `messages 'true'`,
      ...(this.o.streaming ? [`streaming 'on'`] : []),
    ];
    return client.query(`START_REPLICATION SLOT "${slotName}" LOGICAL ${lastLsn} (${options.join(', ')})`);
  }

  parse(buf: Buffer): unknown {
    const tag = buf[0]!;
    switch (tag) {
      case 0x53: // 'S' stream start
        this.inBlock = true;
        return { tag: 'stream_start', xid: buf.readUInt32BE(1), firstSegment: buf[5] === 1 } satisfies StreamControlMessage;
      case 0x45: // 'E' stream stop
        this.inBlock = false;
        return { tag: 'stream_stop' } satisfies StreamControlMessage;
      case 0x63: // 'c' stream commit
        return { tag: 'stream_commit', xid: buf.readUInt32BE(1), commitLsn: lsnAt(buf, 6), commitEndLsn: lsnAt(buf, 14), commitTime: buf.readBigUInt64BE(22) + 946_684_800_000_000n } satisfies StreamControlMessage;
      case 0x41: // 'A' stream abort (protocol 4 appends an abort LSN and time we do not ask for)
        return { tag: 'stream_abort', xid: buf.readUInt32BE(1), subXid: buf.readUInt32BE(5) } satisfies StreamControlMessage;
      case 0x4d: // 'M' the capture helpers' messages: the hot path, parsed here without copies
        return this.message(buf);
      default:
        break;
    }
    if (this.inBlock && XID_IN_STREAM.has(tag)) {
      // the library's parser knows the protocol-1 layout: drop the xid and tell it the rest
      const xid = buf.readUInt32BE(1);
      const unwrapped = Buffer.allocUnsafe(buf.length - 4);
      unwrapped[0] = tag;
      buf.copy(unwrapped, 1, 5);
      return { ...(this.rows.parse(unwrapped) as object), xid };
    }
    return this.rows.parse(buf);
  }

  private message(buf: Buffer): LogicalMessage {
    let p = 1;
    let xid: number | undefined;
    if (this.inBlock) {
      xid = buf.readUInt32BE(p);
      p += 4;
    }
    const flags = buf[p]!;
    // then the message's own LSN (8 bytes): unused, the stream acknowledges commits
    p += 9;
    const end = buf.indexOf(0, p);
    if (end < 0) throw new Error('pgoutput message: prefix is not terminated');
    const prefix = this.prefix(buf, p, end);
    p = end + 1;
    const length = buf.readInt32BE(p);
    p += 4;
    if (p + length > buf.length) throw new Error(`pgoutput message: content of ${length} bytes overruns the message`);
    return { tag: 'message', xid, transactional: (flags & 1) === 1, prefix, content: buf.subarray(p, p + length) };
  }

  private prefix(buf: Buffer, from: number, to: number): string {
    const key = buf.toString('latin1', from, to);
    let s = this.prefixes.get(key);
    if (s === undefined) {
      s = TEXT.decode(buf.subarray(from, to));
      // a handful of prefixes in practice; never let a misbehaving database grow this
      if (this.prefixes.size < 64) this.prefixes.set(key, s);
    }
    return s;
  }
}

function lsnAt(buf: Buffer, at: number): string | null {
  const hi = buf.readUInt32BE(at);
  const lo = buf.readUInt32BE(at + 4);
  if (hi === 0 && lo === 0) return null;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}
