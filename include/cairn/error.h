/*
 * cairn — error codes.
 *
 * Every function of the API returns 0 or one of the negative codes below.
 * The detail (message, SQLSTATE, file, line, column) lives on the context
 * that failed: see cairn_ctx_error() in <cairn/cairn.h>. The command-line
 * front end maps each code to one documented exit status (docs/exit-codes.md).
 */
#ifndef CAIRN_ERROR_H
#define CAIRN_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cairn_status_code {
    CAIRN_OK = 0,
    /** Something unexpected: an internal error. */
    CAIRN_EGENERIC = -1,
    /** Bad command-line usage or API arguments. */
    CAIRN_EUSAGE = -2,
    /** The configuration (cairn.json, flags, URL) is invalid or incomplete. */
    CAIRN_ECONFIG = -3,
    /** A schema file (JSON or SQL) is invalid. */
    CAIRN_ESCHEMA = -4,
    /** A dialect driver was not found, failed to load or refused to serve. */
    CAIRN_EDIALECT = -5,
    /** The database reported an error (connect, statement, introspection). */
    CAIRN_EDB = -6,
    /** The migrations folder or the history does not add up: a changed or
     *  missing migration file, a corrupt snapshot, a broken parent chain. */
    CAIRN_EINTEGRITY = -7,
    /** The migration lock (or the database) is held by someone else. */
    CAIRN_ELOCKED = -8,
    /** The change would destroy data and was not forced. */
    CAIRN_EDESTRUCTIVE = -9,
    /** A migration stopped half-way on a dialect without transactional DDL;
     *  it must be resolved before anything else is applied. */
    CAIRN_EPARTIAL = -10,
    /** Reading or writing a file or folder failed. */
    CAIRN_EIO = -11,
    /** Out of memory. */
    CAIRN_ENOMEM = -12,
    /** The dialect does not provide what was asked (an optional slot). */
    CAIRN_EUNSUPPORTED = -13,
    /** The dialect driver was built for another ABI. */
    CAIRN_EABI = -14,
    /** A check (the "check" setting, `--check`) found work to do: changes
     *  to generate, migrations to apply, a database that differs from the
     *  schema. Nothing was changed. */
    CAIRN_EPENDING = -15,
    /** `lint` (or `validate`) found a problem at error level: a finding the
     *  catalogue (docs/lint.md) or the project's "lint.error" makes an
     *  error. Nothing was changed. */
    CAIRN_ELINT = -16,
    /** A fleet run (`--targets`) where some target failed, could not be
     *  reached or was not started; the others did their work. */
    CAIRN_EFLEET = -17
} cairn_status_code;

#ifdef __cplusplus
}
#endif
#endif
