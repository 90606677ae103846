/**
 * Complaint and report messages (what the complainant wrote, the replies, internal notes) are free text that often
 * holds PI: sealed under the tenant's key like the complainant's contact (ADR 0012). Rows written before keep their
 * plaintext until the daily `pi.seal_legacy` job seals them.
 */
export const name = '0013_complaint_messages_sealed';
export const up = `
ALTER TABLE complaint_messages ADD COLUMN body_sealed bytea;
ALTER TABLE complaint_messages ALTER COLUMN body DROP NOT NULL;
ALTER TABLE complaint_messages ADD CONSTRAINT complaint_messages_body CHECK (body IS NOT NULL OR body_sealed IS NOT NULL);
`;
