package io.tierstate.server.tenants;

import java.util.List;

/**
 * One page of a filtered, sorted list of tenants. Immutable.
 *
 * @param items the tenants of this page
 * @param page the page number, from 1
 * @param size the most items a page holds
 * @param total how many tenants match the filters, on all pages
 * @param totalPages how many pages there are (0 when nothing matches)
 */
record TenantPage(List<TenantView> items, int page, int size, long total, long totalPages) {
  TenantPage {
    items = List.copyOf(items);
  }
}
