import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { allBdcSearchAttributes } from '../contract/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const indexedTypes: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

const GRPC_UNIMPLEMENTED = 12;
const GRPC_PERMISSION_DENIED = 7;

/** The time-skipping test server accepts new attributes but cannot list them: it starts with none. */
async function registeredNames(connection: Connection, namespace: string): Promise<Set<string>> {
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(customAttributes ?? {}));
  } catch (err) {
    if ((err as { code?: number }).code === GRPC_UNIMPLEMENTED) return new Set();
    throw err;
  }
}

/**
 * Registers the BDC search attributes on the namespace, the ones missing only, so that it can run at
 * every start against any server (dev server, test server, docker-compose's). Without the operator's
 * rights to do so it does nothing: they are registered by an admin (docker-compose's namespace job).
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  try {
    const registered = await registeredNames(connection, namespace);
    const missing = allBdcSearchAttributes.filter((key) => !registered.has(key.name));
    if (missing.length) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedTypes[k.type]])),
      });
    }
    return missing.map((k) => k.name);
  } catch (err) {
    // an engine without operator rights (Temporal Cloud, a locked-down server): an admin registers them
    if ((err as { code?: number }).code === GRPC_PERMISSION_DENIED) return [];
    throw err;
  }
}
