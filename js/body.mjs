export class ReadTimeout extends Error {}

// Reading a body whole, bounded by what is actually read. A declared content-length cannot bound it: fetch
// decodes gzip/br transparently, so a small encoded body can decode to any size. With `deadlineMs`, a body that
// has not ended by then is cancelled and ReadTimeout thrown.
export async function readLimited(stream, max, deadlineMs = 0) {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  let timer;
  const expired = deadlineMs > 0 ? new Promise((resolve) => { timer = setTimeout(resolve, deadlineMs, null); }) : null;
  try {
    const chunks = [];
    let total = 0;
    for (;;) {
      const next = expired ? await Promise.race([reader.read(), expired]) : await reader.read();
      if (next === null) {
        reader.cancel().catch(() => {});
        throw new ReadTimeout(`body not received within ${deadlineMs} ms`);
      }
      const { done, value } = next;
      if (done) break;
      total += value.length;
      if (total > max) {
        reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

// The body of `resp` whole if it holds at most `max` decoded bytes, else null (the rest is never read).
// Fast path: without a content-encoding the declared length is the decoded length (the runtime enforces the
// framing), and one arrayBuffer() call is ~20% cheaper for a listing than reading chunk by chunk.
export async function readBodyLimited(resp, max) {
  const encoding = resp.headers.get("content-encoding");
  const declared = Number(resp.headers.get("content-length") ?? Infinity);
  if ((!encoding || encoding === "identity") && declared <= max) {
    const bytes = new Uint8Array(await resp.arrayBuffer());
    return bytes.length <= max ? bytes : null;
  }
  return readLimited(resp.body, max);
}
