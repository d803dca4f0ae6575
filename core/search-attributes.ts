/**
 * Baton's custom search attributes. They must be registered on the server
 * (`temporal-dev.sh` and the test setup do; see the README for a cluster).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BatonAgent = defineSearchAttributeKey('BatonAgent', SearchAttributeType.KEYWORD);
export const BatonStatus = defineSearchAttributeKey('BatonStatus', SearchAttributeType.KEYWORD);
export const BatonPattern = defineSearchAttributeKey('BatonPattern', SearchAttributeType.KEYWORD);

/** `--search-attribute` values for `temporal server start-dev`. */
export const searchAttributeFlags = ['BatonAgent=Keyword', 'BatonStatus=Keyword', 'BatonPattern=Keyword'];
export const searchAttributeKeys = [BatonAgent, BatonStatus, BatonPattern];
