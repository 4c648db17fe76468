package dev.zerogate.identity.service;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedirectUrisTest {

    @ParameterizedTest(name = "{0} allows {1}: {2}")
    @CsvSource({
            "http://127.0.0.1:8080/cb, http://127.0.0.1:8080/cb, true",
            "http://127.0.0.1:8080/cb, http://127.0.0.1:51234/cb, true",
            "http://127.0.0.1/cb, http://127.0.0.1:51234/cb, true",
            "http://[::1]:8080/cb, http://[::1]:9/cb, true",
            "http://localhost:8080/cb, http://localhost:9/cb, true",
            "http://LOCALHOST:8080/cb, http://localhost:9/cb, true",
            "http://127.0.0.1:8080/cb?a=1, http://127.0.0.1:9/cb?a=1, true",
            "http://127.0.0.1:8080/cb, http://127.0.0.1:51234/other, false",
            "http://127.0.0.1:8080/cb, http://127.0.0.1:51234/cb/, false",
            "http://127.0.0.1:8080/cb, http://127.0.0.1:51234/cb?a=1, false",
            "http://127.0.0.1:8080/cb, http://127.0.0.1:51234/cb#f, false",
            "http://127.0.0.1:8080/cb, http://u@127.0.0.1:51234/cb, false",
            "http://127.0.0.1:8080/cb, http://localhost:51234/cb, false",
            "http://127.0.0.1:8080/cb, http://[::1]:51234/cb, false",
            "http://127.0.0.1:8080/cb, http://127.0.0.2:51234/cb, false",
            "http://127.0.0.1:8080/cb, https://127.0.0.1:51234/cb, false",
            "http://127.0.0.1:8080/cb, http://127.0.0.1.evil.example:51234/cb, false",
            "https://127.0.0.1:8443/cb, https://127.0.0.1:9443/cb, false",
            "https://app.example.com:8443/cb, https://app.example.com:9443/cb, false",
            "http://app.example.com:8080/cb, http://app.example.com:9090/cb, false",
            "http://127.0.0.1:8080/cb, not a uri, false",
    })
    void matchesExactlyExceptTheLoopbackPort(String registered, String requested, boolean allowed) {
        assertEquals(allowed, RedirectUris.matches(registered, requested));
    }
}
