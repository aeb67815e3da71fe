/* zmtp.h — every ZMTP 3.x wire constant, in one place (RFC 23 / RFC 37).
 *
 * Code says ZMTP_FLAG_MORE, never 1. Command and property names are given with their length so
 * that builders and parsers share one definition.
 */
#ifndef ZW_WIRE_ZMTP_H
#define ZW_WIRE_ZMTP_H

/* --- greeting (64 bytes) ------------------------------------------------------------------ */
#define ZMTP_GREETING_SIZE 64
#define ZMTP_SIG_FIRST 0xFF          /* byte 0 */
#define ZMTP_SIG_PADDING_OFF 1       /* bytes 1..8: padding, never checked */
#define ZMTP_SIG_PADDING_LEN 8
#define ZMTP_SIG_LAST_OFF 9          /* byte 9: 0x7F, bit 0 = versioned greeting */
#define ZMTP_SIG_LAST 0x7F
#define ZMTP_SIG_VERSIONED 0x01
#define ZMTP_SIG_SIZE 10             /* bytes 0..9: the signature */
#define ZMTP_MAJOR_OFF 10
#define ZMTP_MINOR_OFF 11
#define ZMTP_MECH_OFF 12             /* bytes 12..31: mechanism name, zero padded */
#define ZMTP_MECH_LEN 20
#define ZMTP_AS_SERVER_OFF 32
#define ZMTP_FILLER_OFF 33           /* bytes 33..63: zero */

#define ZMTP_VERSION_MAJOR 3
#define ZMTP_VERSION_MINOR 1         /* what we send; 0 = ZMTP 3.0 peer */

#define ZMTP_MECH_NULL "NULL"
#define ZMTP_MECH_PLAIN "PLAIN"
#define ZMTP_MECH_CURVE "CURVE"

/* --- frames ------------------------------------------------------------------------------- */
#define ZMTP_FLAG_MORE 0x01
#define ZMTP_FLAG_LONG 0x02
#define ZMTP_FLAG_COMMAND 0x04
#define ZMTP_FLAG_RESERVED 0xF8      /* bits 3..7 must be zero */
#define ZMTP_SHORT_MAX 255           /* largest body with a 1-byte size */
#define ZMTP_SHORT_HEADER 2          /* flags + 1-byte size */
#define ZMTP_LONG_HEADER 9           /* flags + 8-byte big-endian size */

/* --- commands (body = 1-byte name length, name, data) -------------------------------------- */
#define ZMTP_CMD_READY "READY"
#define ZMTP_CMD_READY_LEN 5
#define ZMTP_CMD_ERROR "ERROR"
#define ZMTP_CMD_ERROR_LEN 5
#define ZMTP_CMD_SUBSCRIBE "SUBSCRIBE"
#define ZMTP_CMD_SUBSCRIBE_LEN 9
#define ZMTP_CMD_CANCEL "CANCEL"
#define ZMTP_CMD_CANCEL_LEN 6
#define ZMTP_CMD_PING "PING"
#define ZMTP_CMD_PING_LEN 4
#define ZMTP_CMD_PONG "PONG"
#define ZMTP_CMD_PONG_LEN 4
#define ZMTP_PING_TTL_LEN 2          /* PING: 2-byte BE TTL (tenths of a second) before context */
#define ZMTP_PING_MAX_CONTEXT 16     /* context bytes echoed in PONG */

/* --- metadata properties (1-byte name length, name, 4-byte BE value length, value) --------- */
#define ZMTP_PROP_SOCKET_TYPE "Socket-Type"
#define ZMTP_PROP_SOCKET_TYPE_LEN 11
#define ZMTP_PROP_IDENTITY "Identity"
#define ZMTP_PROP_IDENTITY_LEN 8
#define ZMTP_PROP_VALUE_LEN_SIZE 4
#define ZMTP_IDENTITY_MAX 255

/* --- subscriptions in message form (to ZMTP 3.0 peers and over ZWS) ------------------------ */
#define ZMTP_SUB_MSG_SUBSCRIBE 0x01
#define ZMTP_SUB_MSG_CANCEL 0x00

/* Commands may be at least this large even under a small maxMessageSize, so that a handshake
 * (READY with metadata, later CURVE INITIATE) never trips the user's data limit. */
#define ZMTP_COMMAND_SIZE_FLOOR 65536

#endif
