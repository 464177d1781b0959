export {
  SnsVerifier,
  DEFAULT_SNS_CERT_HOST,
  CERT_FETCH_TIMEOUT_MS,
  CERT_MAX_BYTES,
  buildStringToSign,
  defaultFetchCert,
} from './verify.js';
export type { SnsMessage, SnsMessageType, SnsVerifierOptions, SnsVerifyResult } from './verify.js';
export { parseSesEvent } from './ses-event.js';
export type { SesEvent } from './ses-event.js';
