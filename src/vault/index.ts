export { createCollectionStore, type CollectionStore } from './collections.js';
export { createRecordsService, type RecordsService } from './records-service.js';
export * from './vault-types.js';
