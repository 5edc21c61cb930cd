/**
 * Regions with SIP media applications (the Chime SDK PSTN audio service). Sources, as stored copies read on
 * 2026-11-30: the Amazon Chime SDK developer guide "Available AWS Regions for the Amazon Chime SDK"
 * (https://docs.aws.amazon.com/chime-sdk/latest/dg/sdk-available-regions.html: its console table lists
 * exactly these ten; the PSTN audio rows themselves were not in the stored copy), the Chime SDK Voice API
 * ListAvailableVoiceConnectorRegions (valid values: the same ten) and the 2022-11-18 "What's New" that
 * added the eight regions outside us-east-1 / us-west-2 for PSTN audio and Voice Connector. PSTN phone
 * numbers exist only in us-east-1 and us-west-2 (docs/reference/sma-protocol.md); an SMA elsewhere is reached
 * through a Voice Connector. One list, so a region AWS adds is a one-line change.
 */
export const SMA_REGIONS = [
  'us-east-1',
  'us-west-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;

/** Why `region` cannot host this project, or undefined when it can. */
export function smaRegionProblem(region: string): string | undefined {
  if ((SMA_REGIONS as readonly string[]).includes(region)) return undefined;
  return `${region} has no SIP media applications (Amazon Chime SDK PSTN audio); use one of ${SMA_REGIONS.join(', ')}`;
}
