/** The delivery adapters moved to src/core/notifier.ts (shared with the customer portal); re-exported here for incidents. */
export { createOutboxNotifier, type Notifier, type OutboundMessage } from '../core/notifier.js';
