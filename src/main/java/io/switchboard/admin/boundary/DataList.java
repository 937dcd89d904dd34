package io.switchboard.admin.boundary;

import java.util.List;

/** Admin lists answer {@code {"data": [...]}}. */
public record DataList<T>(List<T> data) {
}
