import { describe, expect, it } from 'vitest';
import { SHIPPED_MAPPINGS, shippedMappingNames } from './mappings.ts';

describe('shipped mappings', () => {
  it('loads every file under mappings/ and checks it', () => {
    expect(shippedMappingNames()).toEqual(['shadowserver/blocklist', 'shadowserver/compromised_website', 'shadowserver/event4_sinkhole', 'shadowserver/scan']);
    expect(SHIPPED_MAPPINGS['shadowserver/event4_sinkhole']!.constants['classification.type']).toBe('infected-system');
    expect(SHIPPED_MAPPINGS['shadowserver/scan']!.unmapped).toBe('extra');
    expect(SHIPPED_MAPPINGS['shadowserver/scan']!.columns.filter((c) => !c.optional).map((c) => c.column)).toEqual(['timestamp', 'ip']);
  });
});
