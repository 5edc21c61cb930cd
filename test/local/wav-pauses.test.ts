/**
 * The WAV of a paused recording (local/sma/wav.ts): digital silence over each pause window, to the sample, a
 * tone where each pause and resume happen, the duration unchanged; and silentRanges, which measures it.
 */
import { encodeWav, PAUSE_TONE_HZ, PAUSE_TONE_SECONDS, parseWavHeader, silentRanges } from '../../local/sma/wav';

const RATE = 8000;

function sample(buf: Buffer, frame: number, channel: number, channels: number): number {
  return buf.readInt16LE(44 + frame * channels * 2 + channel * 2);
}

/** The tone's sample n as the encoder writes it (half a sample of phase, so never zero). */
function toneSample(n: number): number {
  return Math.round(1600 * Math.sin((2 * Math.PI * PAUSE_TONE_HZ * (n + 0.5)) / RATE));
}

describe('encodeWav with pauses', () => {
  it('is silent exactly over each window, on every channel, and keeps the duration', () => {
    const pauses = [
      { startSeconds: 20, endSeconds: 35 },
      { startSeconds: 40.125, endSeconds: 41 },
    ];
    const buf = encodeWav({ channels: 2, durationSeconds: 60, pauses });
    const h = parseWavHeader(buf);
    expect(h.frames).toBe(60 * RATE);
    expect(h.durationSeconds).toBe(60);
    expect(silentRanges(buf, 0.1)).toEqual([
      { startFrame: 160_000, endFrame: 280_000, startSeconds: 20, endSeconds: 35 },
      { startFrame: 321_000, endFrame: 328_000, startSeconds: 40.125, endSeconds: 41 },
    ]);
    // The frames either side of a window are sound (tones), the window's first and last frames silence.
    for (const [frame, silent] of [
      [159_999, false],
      [160_000, true],
      [279_999, true],
      [280_000, false],
    ] as const) {
      for (const channel of [0, 1]) expect(sample(buf, frame, channel, 2) === 0).toBe(silent);
    }
  });

  it('puts a tone, on every channel, in the PAUSE_TONE_SECONDS before a pause and after a resume', () => {
    const buf = encodeWav({ channels: 2, durationSeconds: 10, pauses: [{ startSeconds: 4, endSeconds: 6 }] });
    const toneFrames = PAUSE_TONE_SECONDS * RATE;
    for (let n = 0; n < toneFrames; n++) {
      for (const channel of [0, 1]) {
        expect(sample(buf, 4 * RATE - toneFrames + n, channel, 2)).toBe(toneSample(n));
        expect(sample(buf, 6 * RATE + n, channel, 2)).toBe(toneSample(n));
      }
    }
    // Beyond the tones, the channel tones again (left and right differ; the pause tone is the same on both).
    const after = 6 * RATE + toneFrames + 3;
    expect(sample(buf, after, 0, 2)).not.toBe(sample(buf, after, 1, 2));
  });

  it('a window reaching the end (stopped while paused) is silent to the end and has no resume tone', () => {
    const buf = encodeWav({ channels: 1, durationSeconds: 5, pauses: [{ startSeconds: 3, endSeconds: 9 }] });
    expect(parseWavHeader(buf).frames).toBe(5 * RATE);
    expect(silentRanges(buf)).toEqual([{ startFrame: 3 * RATE, endFrame: 5 * RATE, startSeconds: 3, endSeconds: 5 }]);
  });

  it('a window at the very start has no room for its tone; silence still starts at frame 0', () => {
    const buf = encodeWav({ channels: 2, durationSeconds: 3, pauses: [{ startSeconds: 0, endSeconds: 1 }] });
    expect(silentRanges(buf)).toEqual([{ startFrame: 0, endFrame: RATE, startSeconds: 0, endSeconds: 1 }]);
    expect(sample(buf, RATE, 0, 2)).toBe(toneSample(0));
  });

  it('a pause tone that would reach into the previous window is cut: the windows stay silent', () => {
    const buf = encodeWav({
      channels: 2,
      durationSeconds: 4,
      pauses: [
        { startSeconds: 1, endSeconds: 2 },
        { startSeconds: 2.1, endSeconds: 3 },
      ],
    });
    expect(silentRanges(buf).map((r) => [r.startSeconds, r.endSeconds])).toEqual([
      [1, 2],
      [2.1, 3],
    ]);
  });

  it('refuses windows out of order or inverted, naming the window', () => {
    expect(() => encodeWav({ channels: 1, durationSeconds: 5, pauses: [{ startSeconds: 2, endSeconds: 1 }] })).toThrow(/pauses\[0\]/);
    expect(() =>
      encodeWav({
        channels: 1,
        durationSeconds: 5,
        pauses: [
          { startSeconds: 2, endSeconds: 3 },
          { startSeconds: 1, endSeconds: 4 },
        ],
      }),
    ).toThrow(/pauses\[1\]/);
  });
});

describe('silentRanges', () => {
  it('finds no silence in an unpaused recording (the channel tones cross zero only for single frames)', () => {
    expect(silentRanges(encodeWav({ channels: 2, durationSeconds: 30 }), 0.01)).toEqual([]);
    expect(silentRanges(encodeWav({ channels: 1, durationSeconds: 30 }), 0.01)).toEqual([]);
  });

  it('honours minSeconds and reads hand-made files', () => {
    // mono, 1 s: sound, 0.05 s of zeros, sound, 0.2 s of zeros at the end
    const frames = RATE;
    const buf = encodeWav({ channels: 1, durationSeconds: 1 });
    buf.fill(0, 44 + 1000 * 2, 44 + 1400 * 2);
    buf.fill(0, 44 + (frames - 1600) * 2);
    expect(silentRanges(buf, 0.1)).toEqual([{ startFrame: 6400, endFrame: 8000, startSeconds: 0.8, endSeconds: 1 }]);
    expect(silentRanges(buf, 0.05).map((r) => r.startFrame)).toEqual([1000, 6400]);
  });

  it('measures an hour of stereo paused twice (the encoder tiles, the windows are one fill each)', () => {
    const buf = encodeWav({
      channels: 2,
      durationSeconds: 3600,
      pauses: [
        { startSeconds: 600, endSeconds: 660 },
        { startSeconds: 1800, endSeconds: 1801 },
      ],
    });
    expect(silentRanges(buf).map((r) => [r.startSeconds, r.endSeconds])).toEqual([
      [600, 660],
      [1800, 1801],
    ]);
  });
});
