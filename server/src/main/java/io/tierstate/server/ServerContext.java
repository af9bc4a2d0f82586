package io.tierstate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.server.db.Database;
import io.tierstate.server.http.ClientAddress;

/**
 * What every {@link Feature} may use: the configuration, the database, the Tierstate instance
 * (cache, sessions, rate limiter, invalidations, pub/sub), the meter registry that {@code /metrics}
 * scrapes, the JSON mapper and the client-address resolver. Created once by {@link
 * TierstateServer}; all members are thread-safe.
 *
 * @param config the server configuration
 * @param database PostgreSQL, with its JDBC helper
 * @param tierstate the Tierstate instance
 * @param meters the registry of every meter, scraped by {@code /metrics}
 * @param json the strict JSON mapper
 * @param clientAddress the client-address resolver
 */
public record ServerContext(ServerConfig config, Database database, Tierstate tierstate, MeterRegistry meters,
    ObjectMapper json, ClientAddress clientAddress) {}
