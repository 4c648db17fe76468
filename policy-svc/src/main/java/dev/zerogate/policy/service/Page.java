package dev.zerogate.policy.service;

import java.util.List;

/** One page of a list, with the token for the next one (empty on the last page). */
public record Page<T>(List<T> items, String nextPageToken) {
}
