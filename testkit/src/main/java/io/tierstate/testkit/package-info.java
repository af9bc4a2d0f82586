/**
 * Real Redis and PostgreSQL servers for tests, examples and benchmarks: a standalone {@link
 * io.tierstate.testkit.RedisServer}, a {@link io.tierstate.testkit.RedisCluster} and a {@link
 * io.tierstate.testkit.RedisSentinelSetup}, each started as {@code redis-server} processes on free
 * loopback ports, without persistence.
 *
 * <p>The binary is, in order: the path in the system property {@code tierstate.redis-server}, a
 * {@code redis-server} on the {@code PATH}, {@code /usr/bin/redis-server}, {@code
 * /usr/local/bin/redis-server}, and last the binary shipped inside the embedded-redis jar (Redis
 * 6.2), extracted once per JVM to a temporary directory. Process control (pause, resume) needs a
 * POSIX system: Linux or macOS.
 *
 * <p>A real PostgreSQL server, {@link io.tierstate.testkit.PostgresServer}, runs the same way: its
 * own data directory and Unix socket in a temporary directory, a free loopback port, the newest
 * system installation else zonky's embedded binaries, and an unprivileged user when the JVM runs
 * as root (PostgreSQL refuses root).
 */
@NullMarked
package io.tierstate.testkit;

import org.jspecify.annotations.NullMarked;
