/**
 * Personal information held outside the vault's records is sealed under the tenant's key (ADR 0012): a complainant's
 * contact and the agent or relative named on a rights request. Lists show the masked form kept beside the sealed
 * value; the full value is opened only in an audited read of one item. Rows written before this migration keep
 * their plaintext columns until the daily `pi.seal_legacy` job seals them and clears the plaintext.
 */
export const name = '0011_operational_pi_sealed';
export const up = `
ALTER TABLE complaints ADD COLUMN contact_sealed bytea;
ALTER TABLE complaints ADD COLUMN contact_masked text;
ALTER TABLE rights_requests ADD COLUMN requester_sealed bytea;
`;
