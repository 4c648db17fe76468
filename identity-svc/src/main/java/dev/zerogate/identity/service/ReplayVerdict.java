package dev.zerogate.identity.service;

import dev.zerogate.identity.RefreshToken;

import java.time.Duration;
import java.time.Instant;

/**
 * What a spent refresh token presented again means. Within the grace window after its refresh,
 * while the successor that refresh issued is still the family's live token, it is the client
 * retrying a refresh whose response it lost: it gets that same successor back (and a new access
 * token), so the family never has two live refresh tokens. Anything else is reuse: two parties
 * hold the family, and the session is revoked. Every verdict but {@link #RETURN_SUCCESSOR} says
 * why not, for the audit log.
 */
public enum ReplayVerdict {

    RETURN_SUCCESSOR("within the grace window; its successor is unused"),
    GRACE_OFF("there is no grace window"),
    SESSION_REVOKED("the session has ended"),
    OUTSIDE_WINDOW("it was spent before the grace window"),
    NO_SUCCESSOR("no successor is recorded for it"),
    SUCCESSOR_GONE("its successor is gone"),
    SUCCESSOR_USED("its successor has been used since"),
    SUCCESSOR_EXPIRED("its successor has expired"),
    /** Not from {@link #decide}: the sealed successor did not open with the presented token. */
    SUCCESSOR_UNREADABLE("its successor does not open with it");

    /** The state of the token that the spent token's refresh issued. */
    public enum Successor {
        /** None recorded (spent before successors were recorded). */
        NONE,
        /** Recorded, but no such token of this session exists. */
        GONE,
        /** Spent in turn: the presented token is no longer the immediately previous one. */
        USED,
        EXPIRED,
        /** Unspent and unexpired: the family's live token. */
        LIVE;

        /** The state of {@code successor} (null if not found), the token {@code spent}'s refresh issued. */
        public static Successor of(RefreshToken spent, RefreshToken successor, Instant now) {
            if (spent.successorHash == null) {
                return NONE;
            }
            if (successor == null || !successor.sessionId.equals(spent.sessionId)) {
                return GONE;
            }
            if (successor.usedAt != null) {
                return USED;
            }
            return successor.expiresAt.toInstant().isAfter(now) ? LIVE : EXPIRED;
        }
    }

    private final String reason;

    ReplayVerdict(String reason) {
        this.reason = reason;
    }

    /** Why, in words for the audit log. */
    public String reason() {
        return reason;
    }

    /**
     * Judges a spent token presented again at {@code now}.
     *
     * @param usedAt         when it was spent; a time after {@code now} (a replica whose clock
     *                       runs ahead spent it) counts as just now
     * @param grace          the grace window; zero or negative turns replays off
     * @param successor      the state of the token its refresh issued
     * @param sessionRevoked whether its session has ended
     */
    public static ReplayVerdict decide(Instant usedAt, Instant now, Duration grace, Successor successor, boolean sessionRevoked) {
        if (grace.isZero() || grace.isNegative()) {
            return GRACE_OFF;
        }
        if (sessionRevoked) {
            return SESSION_REVOKED;
        }
        if (Duration.between(usedAt, now).compareTo(grace) > 0) {
            return OUTSIDE_WINDOW;
        }
        return switch (successor) {
            case NONE -> NO_SUCCESSOR;
            case GONE -> SUCCESSOR_GONE;
            case USED -> SUCCESSOR_USED;
            case EXPIRED -> SUCCESSOR_EXPIRED;
            case LIVE -> RETURN_SUCCESSOR;
        };
    }
}
