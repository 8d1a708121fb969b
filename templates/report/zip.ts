import { constants, crc32, deflateRawSync } from 'node:zlib';

/** A file of the archive: its bytes, or the chunks that make them up in order (read once). */
export type ZipData = Uint8Array | Iterable<Uint8Array>;

/** Bytes compressed at a time when a file comes in chunks (see deflateChunks). */
const BLOCK = 256 * 1024;

/**
 * Raw deflate of chunks in order, with their CRC-32 and size, synchronously and without joining them:
 * ~256 KB at a time, each compressed on its own and ended by a sync flush (the last by the final block),
 * so that the outputs put together are one deflate stream, as pigz does. A few percent larger than one
 * pass over the whole; a zlib stream instead paid a thread-pool round trip per chunk, slow on a busy
 * machine.
 */
function deflateChunks(chunks: Iterable<Uint8Array>): { packed: Buffer; crc: number; size: number } {
  const out: Buffer[] = [];
  let pending: Uint8Array[] = [];
  let pendingSize = 0;
  let crc = 0;
  let size = 0;
  const compress = (last: boolean) => {
    const input = pending.length === 1 && pending[0] ? pending[0] : Buffer.concat(pending, pendingSize);
    out.push(deflateRawSync(input, { level: 6, finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH }));
    pending = [];
    pendingSize = 0;
  };
  for (const c of chunks) {
    crc = crc32(c, crc);
    size += c.length;
    pending.push(c);
    pendingSize += c.length;
    if (pendingSize >= BLOCK) compress(false);
  }
  compress(true);
  return { packed: Buffer.concat(out), crc, size };
}

/**
 * A ZIP archive (deflate, no ZIP64: a report is a few MB) written with node's own zlib.
 *
 * Why not fflate's zipSync: its deflate runs in JavaScript, ~40–100 ms and tens of MB of garbage for the
 * 4 MB document.xml of a 2,000-unit report, where zlib takes ~11 ms at the same level and outside the
 * JavaScript heap. A file given as chunks is checksummed and compressed as they are made (deflateChunks):
 * joining the document's chunks into one 4 MB buffer first cost 20–40 ms, most of it the first touch of
 * fresh memory.
 */
export function zipFiles(files: ReadonlyArray<readonly [name: string, data: ZipData]>, mtime = new Date()): Buffer {
  const time = ((mtime.getHours() << 11) | (mtime.getMinutes() << 5) | (mtime.getSeconds() >> 1)) & 0xffff;
  const date = (((Math.max(1980, mtime.getFullYear()) - 1980) << 9) | ((mtime.getMonth() + 1) << 5) | mtime.getDate()) & 0xffff;
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const { packed, crc, size } =
      data instanceof Uint8Array ? { packed: deflateRawSync(data, { level: 6 }), crc: crc32(data), size: data.length } : deflateChunks(data);
    // Bit 11: the name is UTF-8 (docx part names are ASCII; harmless either way).
    const flags = 0x0800;
    // The fields both headers share, from "version needed" to the name's length, in the same order.
    const shared = (header: Buffer, at: number) => {
      header.writeUInt16LE(20, at); // version needed: 2.0 (deflate)
      header.writeUInt16LE(flags, at + 2);
      header.writeUInt16LE(8, at + 4); // deflate
      header.writeUInt16LE(time, at + 6);
      header.writeUInt16LE(date, at + 8);
      header.writeUInt32LE(crc, at + 10);
      header.writeUInt32LE(packed.length, at + 14);
      header.writeUInt32LE(size, at + 18);
      header.writeUInt16LE(nameBytes.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    shared(local, 4);
    // extra field length (28): 0
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS attributes
    shared(entry, 6);
    // extra, comment, disk, internal and external attributes: 0
    entry.writeUInt32LE(offset, 42);
    out.push(local, nameBytes, packed);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  if (offset + centralSize > 0xffffffff || files.length > 0xffff) throw new Error('zipFiles: too large for a ZIP without ZIP64');
  return Buffer.concat([...out, ...central, end]);
}
