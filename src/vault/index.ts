export { createCollectionStore, type CollectionStore, COLLECTION_SORT, type CollectionListQuery } from './collections.js';
export { createRecordsService, type RecordsService } from './records-service.js';
export { createSubjectService, type SubjectService, type SubjectExport, type ExportedField, type ExportedRecord } from './subject-service.js';
export * from './vault-types.js';
export { fieldAad, unpackFields } from './sealed-record.js';
export { createSubjectLookup, normaliseContact, type SubjectLookup, type ContactKind, type MaskedCollection, type MaskedField } from './subject-lookup.js';
