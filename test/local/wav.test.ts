import { encodeWav, parseWavHeader } from '../../local/sma/wav';

describe('encodeWav', () => {
  it('writes a PCM 16-bit stereo header whose sizes match the duration', () => {
    const buf = encodeWav({ channels: 2, durationSeconds: 2.5 });
    const h = parseWavHeader(buf);
    expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
    expect(buf.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(h).toMatchObject({
      audioFormat: 1,
      channels: 2,
      sampleRate: 8000,
      bitsPerSample: 16,
      blockAlign: 4,
      byteRate: 32000,
      dataOffset: 44,
    });
    expect(h.frames).toBe(20000);
    expect(h.dataSize).toBe(80000);
    expect(h.riffSize).toBe(buf.length - 8);
    expect(buf.length).toBe(44 + 80000);
    expect(h.durationSeconds).toBeCloseTo(2.5, 6);
  });

  it('writes mono at another sample rate', () => {
    const buf = encodeWav({ channels: 1, sampleRate: 16000, durationSeconds: 0.5 });
    const h = parseWavHeader(buf);
    expect(h).toMatchObject({ channels: 1, sampleRate: 16000, blockAlign: 2, byteRate: 32000, frames: 8000, dataSize: 16000 });
    expect(buf.length).toBe(44 + 16000);
  });

  it('gives a header-only 44-byte file for zero duration', () => {
    const buf = encodeWav({ channels: 2, durationSeconds: 0 });
    expect(buf.length).toBe(44);
    const h = parseWavHeader(buf);
    expect(h.dataSize).toBe(0);
    expect(h.durationSeconds).toBe(0);
    expect(h.riffSize).toBe(36);
  });

  it('synthesizes a quiet, different tone per channel (not silence)', () => {
    const buf = encodeWav({ channels: 2, durationSeconds: 0.1 });
    const left: number[] = [];
    const right: number[] = [];
    for (let off = 44; off < buf.length; off += 4) {
      left.push(buf.readInt16LE(off));
      right.push(buf.readInt16LE(off + 2));
    }
    expect(Math.max(...left)).toBeGreaterThan(500);
    expect(Math.max(...left.map(Math.abs))).toBeLessThan(8000);
    expect(left).not.toEqual(right);
    // 400 Hz left / 500 Hz right at 8 kHz: count upward zero crossings over 0.1 s.
    const crossings = (s: number[]) => s.filter((v, i) => i > 0 && s[i - 1]! < 0 && v >= 0).length;
    expect(crossings(left)).toBeGreaterThanOrEqual(39);
    expect(crossings(left)).toBeLessThanOrEqual(41);
    expect(crossings(right)).toBeGreaterThanOrEqual(49);
    expect(crossings(right)).toBeLessThanOrEqual(51);
  });

  it('writes a 5-minute stereo file of the right size (its speed is a benchmark, not a test: CI is shared)', () => {
    const buf = encodeWav({ channels: 2, durationSeconds: 300 });
    expect(buf.length).toBe(44 + 300 * 8000 * 4);
  });

  it('refuses bad input', () => {
    expect(() => encodeWav({ channels: 3 as 1, durationSeconds: 1 })).toThrow(RangeError);
    expect(() => encodeWav({ channels: 1, durationSeconds: -1 })).toThrow(RangeError);
    expect(() => parseWavHeader(Buffer.alloc(44))).toThrow(/RIFF/);
    expect(() => parseWavHeader(Buffer.from('RIFF'))).toThrow(/shorter/);
  });
});
