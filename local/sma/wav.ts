/**
 * RIFF/WAVE PCM 16-bit files for the SMA emulator's call recordings.
 *
 * The PSTN audio service records WAV, stereo for Track BOTH (left = incoming, right = outgoing), mono for a
 * single track (developer guide, "Using call recording", sip-apps-call-record). 8 kHz 16-bit PCM is an
 * assumption (unverified). The audio is a quiet tone per channel so a person opening a twin recording hears
 * which channel is which; the header sizes always match the stated duration.
 *
 * Pauses (PauseCallRecording .. ResumeCallRecording): "the recording captures a tone that indicates the pause",
 * then only silence, and the paused time still counts (pause-call-recording). How the real silence and tone
 * look is not documented (unverified); the twin writes digital silence (zero samples, every channel) over each
 * pause window, to the sample, and a PAUSE_TONE_SECONDS tone at PAUSE_TONE_HZ on every channel right BEFORE the
 * window (the pause) and right AFTER it (the resume), so silence measured from the samples is exactly the window.
 */

export interface WavOptions {
  channels: 1 | 2;
  /** Samples per second; default 8000. */
  sampleRate?: number;
  /** Seconds of audio; 0 gives a header-only (44-byte) file. */
  durationSeconds: number;
  /**
   * Paused stretches, seconds from the start of the file, in order and not overlapping; a window reaching past
   * the end is cut there (a recording stopped while paused). Each is silent; a tone marks its pause and, unless
   * it runs to the end, its resume.
   */
  pauses?: readonly WavPauseWindow[];
}

export interface WavPauseWindow {
  startSeconds: number;
  endSeconds: number;
}

/** The pause / resume tone: 1 kHz is neither channel's tone (400 and 500 Hz at 8 kHz), a quarter second. */
export const PAUSE_TONE_HZ = 1000;
export const PAUSE_TONE_SECONDS = 0.25;

export interface WavHeader {
  /** 1 = PCM */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** The RIFF chunk size field (file length - 8). */
  riffSize: number;
  /** Byte length of the data chunk as the header states it. */
  dataSize: number;
  /** Offset of the first sample byte. */
  dataOffset: number;
  /** Sample frames in the data chunk (dataSize / blockAlign). */
  frames: number;
  durationSeconds: number;
}

const HEADER_BYTES = 44;
const BITS_PER_SAMPLE = 16;
/** About -26 dBFS: audible, never clipping. */
const AMPLITUDE = 1600;

export function encodeWav(options: WavOptions): Buffer {
  const { channels, sampleRate = 8000, durationSeconds } = options;
  if (channels !== 1 && channels !== 2) throw new RangeError(`channels must be 1 or 2, got ${channels}`);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  if (!(durationSeconds >= 0) || !Number.isFinite(durationSeconds)) {
    throw new RangeError(`durationSeconds must be a finite number >= 0, got ${durationSeconds}`);
  }
  const blockAlign = channels * (BITS_PER_SAMPLE / 8);
  const frames = Math.round(durationSeconds * sampleRate);
  const dataSize = frames * blockAlign;
  // Every byte is written below (header, then the tiled tone), so no zero-fill first.
  const buf = Buffer.allocUnsafe(HEADER_BYTES + dataSize);

  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataSize, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size for PCM
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * blockAlign, 28);
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(BITS_PER_SAMPLE, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataSize, 40);

  if (dataSize > 0) {
    // Tones at sampleRate/20 (left) and sampleRate/16 (right), 400 Hz and 500 Hz at 8 kHz: both periods are
    // whole numbers of samples, so 80 frames repeat exactly and Buffer#fill can tile them. A 5-minute stereo
    // file (9.6 MB) is then a memcpy, not 4.8 million sample writes.
    const patternFrames = 80;
    const pattern = Buffer.alloc(patternFrames * blockAlign);
    for (let i = 0; i < patternFrames; i++) {
      pattern.writeInt16LE(Math.round(AMPLITUDE * Math.sin((2 * Math.PI * i) / 20)), i * blockAlign);
      if (channels === 2) pattern.writeInt16LE(Math.round(AMPLITUDE * Math.sin((2 * Math.PI * i) / 16)), i * blockAlign + 2);
    }
    buf.fill(pattern, HEADER_BYTES);
    writePauses(buf, options.pauses ?? [], { channels, sampleRate, frames, blockAlign });
  }
  return buf;
}

/** Tones first, then the silence over them: where a tone would reach into a window, the window wins. */
function writePauses(
  buf: Buffer,
  pauses: readonly WavPauseWindow[],
  f: { channels: number; sampleRate: number; frames: number; blockAlign: number },
): void {
  const windows = pauses.map((w, i): [number, number] => {
    if (!Number.isFinite(w.startSeconds) || !Number.isFinite(w.endSeconds) || w.startSeconds < 0 || w.endSeconds < w.startSeconds)
      throw new RangeError(`pauses[${i}] must be 0 <= startSeconds <= endSeconds, got ${JSON.stringify(w)}`);
    if (i > 0 && w.startSeconds < pauses[i - 1]!.endSeconds) throw new RangeError(`pauses[${i}] starts before pauses[${i - 1}] ends`);
    return [Math.min(f.frames, Math.round(w.startSeconds * f.sampleRate)), Math.min(f.frames, Math.round(w.endSeconds * f.sampleRate))];
  });
  const toneFrames = Math.round(PAUSE_TONE_SECONDS * f.sampleRate);
  const tone = Buffer.alloc(toneFrames * f.blockAlign);
  for (let n = 0; n < toneFrames; n++) {
    // Half a sample of phase: no sample of the tone is zero, so it never reads as part of the silence beside it.
    const v = Math.round(AMPLITUDE * Math.sin((2 * Math.PI * PAUSE_TONE_HZ * (n + 0.5)) / f.sampleRate));
    for (let c = 0; c < f.channels; c++) tone.writeInt16LE(v, n * f.blockAlign + c * 2);
  }
  const put = (fromFrame: number, toFrame: number, toneFrom: number) => {
    if (toFrame <= fromFrame) return;
    tone.copy(buf, HEADER_BYTES + fromFrame * f.blockAlign, toneFrom * f.blockAlign, (toneFrom + toFrame - fromFrame) * f.blockAlign);
  };
  for (const [start, end] of windows) {
    const before = Math.max(0, start - toneFrames);
    put(before, start, toneFrames - (start - before)); // the pause: the tone's end meets the silence
    if (end < f.frames) put(end, Math.min(f.frames, end + toneFrames), 0); // the resume
  }
  for (const [start, end] of windows) buf.fill(0, HEADER_BYTES + start * f.blockAlign, HEADER_BYTES + end * f.blockAlign);
}

export interface SilentRange {
  startFrame: number;
  /** Exclusive. */
  endFrame: number;
  startSeconds: number;
  endSeconds: number;
}

/**
 * The stretches of a PCM 16-bit WAV where every channel's samples are exactly zero (digital silence), at least
 * `minSeconds` long, measured from the samples: what a test compares with a manifest's pause windows.
 */
export function silentRanges(wav: Buffer, minSeconds = 0.1): SilentRange[] {
  const h = parseWavHeader(wav);
  if (h.audioFormat !== 1 || h.bitsPerSample !== 16) throw new Error('silentRanges reads PCM 16-bit WAV only');
  const frames = Math.min(h.frames, Math.floor((wav.length - h.dataOffset) / h.blockAlign));
  const minFrames = Math.max(1, Math.ceil(minSeconds * h.sampleRate));
  const ranges: SilentRange[] = [];
  const silentAt = (frame: number) => {
    const at = h.dataOffset + frame * h.blockAlign;
    for (let c = 0; c < h.channels; c++) if (wav.readInt16LE(at + c * 2) !== 0) return false;
    return true;
  };
  let runStart = -1;
  for (let i = 0; i <= frames; i++) {
    const silent = i < frames && silentAt(i);
    if (silent && runStart < 0) runStart = i;
    if (!silent && runStart >= 0) {
      if (i - runStart >= minFrames)
        ranges.push({ startFrame: runStart, endFrame: i, startSeconds: runStart / h.sampleRate, endSeconds: i / h.sampleRate });
      runStart = -1;
    }
  }
  return ranges;
}

/** Reads and checks the canonical 44-byte PCM header (and any chunks before "data"); throws if it is not one. */
export function parseWavHeader(buf: Buffer): WavHeader {
  if (buf.length < HEADER_BYTES) throw new Error(`not a WAV file: ${buf.length} bytes is shorter than a header`);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a WAV file: missing RIFF/WAVE magic');
  }
  let offset = 12;
  let fmt:
    | { audioFormat: number; channels: number; sampleRate: number; byteRate: number; blockAlign: number; bitsPerSample: number }
    | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      fmt = {
        audioFormat: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        byteRate: buf.readUInt32LE(body + 8),
        blockAlign: buf.readUInt16LE(body + 12),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('not a WAV file: data chunk before fmt chunk');
      if (fmt.blockAlign === 0 || fmt.byteRate === 0) throw new Error('not a WAV file: zero blockAlign/byteRate');
      return {
        ...fmt,
        riffSize: buf.readUInt32LE(4),
        dataSize: size,
        dataOffset: body,
        frames: Math.floor(size / fmt.blockAlign),
        durationSeconds: size / fmt.byteRate,
      };
    }
    offset = body + size + (size % 2); // chunks are word-aligned
  }
  throw new Error('not a WAV file: no data chunk');
}
