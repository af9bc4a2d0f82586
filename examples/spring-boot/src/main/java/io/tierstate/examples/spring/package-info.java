/**
 * A small product catalog on PostgreSQL whose reads are {@code @Cacheable} and writes
 * {@code @CacheEvict}, cached by tierstate-spring-boot-starter: run it with one command (see
 * docs/spring.md), start it twice and watch a change on one instance read fresh on the other.
 */
@NullMarked
package io.tierstate.examples.spring;

import org.jspecify.annotations.NullMarked;
