package io.tierstate.server.users;

import java.util.List;

/**
 * One page of a filtered, sorted list of users, as the API shows it and as it is cached. Immutable.
 *
 * @param items the users of this page
 * @param page the page number, from 1
 * @param size the most items a page holds
 * @param total how many users match the filters, on all pages
 * @param totalPages how many pages there are (0 when nothing matches)
 */
record UserPage(List<UserView> items, int page, int size, long total, long totalPages) {
  UserPage {
    items = List.copyOf(items);
  }
}
