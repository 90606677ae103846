export { createThirdPartyService, presentParty, presentContract, presentChannel, type ThirdPartyService, type ThirdPartyDeps, type ThirdPartyInput, type ThirdPartyPatch, type ContractInput, type ChannelInput, type ScreeningInput, type Contact } from './third-party-service.js';
export { createShareService, type ShareService, type ShareInput, type ShareDeps } from './share-service.js';
export { encryptToRecipient, decryptEnvelope, recipientAlgorithm, RecipientKeyError, type Envelope, type RecipientAlgorithm } from './recipient-crypto.js';
export { THIRD_PARTY_KINDS, SCREENING_RESULTS, SCREENING_QUESTIONS, END_OF_TERM, suggestedScreening, contractRefusal, contractFlag, fieldsOutside, type ThirdPartyKind, type ScreeningResult, type PiScope } from './sharing-rules.js';
