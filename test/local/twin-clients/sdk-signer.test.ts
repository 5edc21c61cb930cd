/**
 * reuseSigner (local/twin/sdk-signer.ts): the twin's SDK clients keep one SigV4 signer per auth scheme instead of
 * building one per request. The remembered signer must sign exactly as the SDK's own per-request one does.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { ChimeSDKVoiceClient } from '@aws-sdk/client-chime-sdk-voice';
import { SFNClient } from '@aws-sdk/client-sfn';
import { TWIN_CREDENTIALS } from '../../../local/twin/credentials';
import { reuseSigner } from '../../../local/twin/sdk-signer';

interface Signer {
  sign(
    request: object,
    options: { signingDate: Date; signingRegion?: string; signingService?: string },
  ): Promise<{ headers: Record<string, string> }>;
}
type SignerOf = (scheme: object) => Promise<Signer>;
const signerOf = (client: { config: object }) => (client.config as { signer: SignerOf }).signer;

const request = (path: string) => ({
  method: 'PUT',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 4569,
  path,
  query: { tagging: '' },
  headers: { host: '127.0.0.1:4569', 'content-type': 'audio/wav', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-meta-call-id': 'c-1' },
  body: 'RIFF',
});

const config = { endpoint: 'http://127.0.0.1:4569', region: 'us-east-1', credentials: TWIN_CREDENTIALS };

describe('reuseSigner', () => {
  it.each([
    ['S3', () => new S3Client({ ...config, forcePathStyle: true }), 's3'],
    ['Chime SDK Voice', () => new ChimeSDKVoiceClient(config), 'chime'],
    ['Step Functions', () => new SFNClient(config), 'states'],
  ])(
    '%s: the same signatures as a signer built per request, on several days and paths; one signer per scheme',
    async (_, make, service) => {
      const remembered = reuseSigner(make());
      const fresh = make();
      const scheme = { name: 'sigv4', signingName: service, signingRegion: 'us-east-1', properties: {} };
      for (const [i, day] of [1, 1, 2, 2, 3].entries()) {
        const signingDate = new Date(Date.UTC(2026, 0, day, 10, 0, i));
        const path = `/call-recordings-local/key-${i % 2}.wav`;
        const ours = await (await signerOf(remembered)(scheme)).sign(request(path), { signingDate });
        const sdks = await (await signerOf(fresh)(scheme)).sign(request(path), { signingDate });
        expect(ours.headers).toEqual(sdks.headers);
        expect(ours.headers.authorization).toContain(`/2026010${day}/us-east-1/${service}/aws4_request`);
      }
      expect(await signerOf(remembered)(scheme)).toBe(await signerOf(remembered)(scheme));
      expect(await signerOf(fresh)(scheme)).not.toBe(await signerOf(fresh)(scheme)); // what the SDK does on its own
      remembered.destroy();
      fresh.destroy();
    },
  );
});
