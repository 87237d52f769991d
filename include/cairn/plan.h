/*
 * cairn — planned changes.
 *
 * The core diffs two schemas into a plan: an ordered list of changes that
 * is safe to run top to bottom (what is dropped goes first, what depends on
 * something comes after it). A dialect driver turns a plan into SQL in its
 * emit slot; it may regroup the changes of one table (SQLite rebuilds a
 * table for what ALTER TABLE cannot do) but must keep the plan's order
 * between tables.
 *
 * Change kinds are only ever appended; a driver that meets a kind it does
 * not know must fail with CAIRN_EUNSUPPORTED naming the kind, never skip it.
 */
#ifndef CAIRN_PLAN_H
#define CAIRN_PLAN_H

#include <cairn/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cairn_change_kind {
    CAIRN_CHANGE_CREATE_NAMESPACE = 1, /* to.name */
    CAIRN_CHANGE_DROP_NAMESPACE,       /* from.name */
    CAIRN_CHANGE_CREATE_ENUM,          /* to.enm */
    CAIRN_CHANGE_ALTER_ENUM,           /* from.enm, to.enm: values added anywhere, the
                                          old values kept in their order; since ABI
                                          1.5, `alter` CAIRN_ALTER_COMMENT: the comment
                                          alone changes (new values, if any, come in
                                          another ALTER_ENUM, `alter` 0) */
    CAIRN_CHANGE_DROP_ENUM,            /* from.enm */
    CAIRN_CHANGE_CREATE_SEQUENCE,      /* to.sequence */
    CAIRN_CHANGE_ALTER_SEQUENCE,       /* from.sequence, to.sequence */
    CAIRN_CHANGE_DROP_SEQUENCE,        /* from.sequence */
    CAIRN_CHANGE_CREATE_TABLE,         /* to.table: the whole table with its keys,
                                          checks, foreign keys, indexes, triggers */
    CAIRN_CHANGE_DROP_TABLE,           /* from.table */
    CAIRN_CHANGE_RENAME_TABLE,         /* from.table (old name), to.table (new name) */
    CAIRN_CHANGE_ADD_COLUMN,           /* to.column */
    CAIRN_CHANGE_DROP_COLUMN,          /* from.column */
    CAIRN_CHANGE_RENAME_COLUMN,        /* from.column, to.column */
    CAIRN_CHANGE_ALTER_COLUMN,         /* from.column, to.column, `alter` flags */
    CAIRN_CHANGE_SET_PRIMARY_KEY,      /* from.key (NULL: none before), to.key (NULL: dropped) */
    CAIRN_CHANGE_ADD_UNIQUE,           /* to.key */
    CAIRN_CHANGE_DROP_UNIQUE,          /* from.key */
    CAIRN_CHANGE_ADD_CHECK,            /* to.check */
    CAIRN_CHANGE_DROP_CHECK,           /* from.check */
    CAIRN_CHANGE_ADD_FOREIGN_KEY,      /* to.fkey */
    CAIRN_CHANGE_DROP_FOREIGN_KEY,     /* from.fkey */
    CAIRN_CHANGE_CREATE_INDEX,         /* to.index */
    CAIRN_CHANGE_DROP_INDEX,           /* from.index */
    CAIRN_CHANGE_CREATE_TRIGGER,       /* to.trigger */
    CAIRN_CHANGE_DROP_TRIGGER,         /* from.trigger */
    CAIRN_CHANGE_CREATE_VIEW,          /* to.view */
    CAIRN_CHANGE_DROP_VIEW,            /* from.view */
    CAIRN_CHANGE_SET_TABLE_COMMENT,    /* from.table, to.table */
    CAIRN_CHANGE_SET_TABLE_OPTIONS,    /* from.table, to.table: `options` differ */
    /* ABI 1.0 ends here: append only. */
    CAIRN_CHANGE_CREATE_OBJECT,        /* to.object; since ABI 1.5 */
    CAIRN_CHANGE_DROP_OBJECT,          /* from.object */
    CAIRN_CHANGE_REPLACE_OBJECT        /* from.object, to.object: same identity, the
                                          definition or the comment differs; the
                                          driver picks how (CREATE OR REPLACE, an
                                          ALTER, or a drop and a create) */,
    /* The same constraint or trigger on both sides (same definition): `alter`
     * says what else changed, CAIRN_ALTER_COMMENT or CAIRN_ALTER_VALIDATE.
     * Since ABI 1.5; planned only for a driver with
     * CAIRN_CAP_CONSTRAINT_COMMENTS or CAIRN_CAP_CONSTRAINT_OPTIONS, after
     * the adds of its table. */
    CAIRN_CHANGE_ALTER_KEY,            /* from.key, to.key: the primary key when
                                          table_to->primary_key == to.key, else a
                                          unique constraint */
    CAIRN_CHANGE_ALTER_CHECK,          /* from.check, to.check */
    CAIRN_CHANGE_ALTER_FOREIGN_KEY,    /* from.fkey, to.fkey */
    CAIRN_CHANGE_ALTER_TRIGGER         /* from.trigger, to.trigger */
} cairn_change_kind;

/** What an ALTER_COLUMN changes (bit set). */
enum {
    CAIRN_ALTER_TYPE = 1u << 0,
    CAIRN_ALTER_NULLABILITY = 1u << 1,
    CAIRN_ALTER_DEFAULT = 1u << 2,
    CAIRN_ALTER_IDENTITY = 1u << 3,
    CAIRN_ALTER_GENERATED = 1u << 4,
    CAIRN_ALTER_COLLATION = 1u << 5,
    CAIRN_ALTER_COMMENT = 1u << 6,
    CAIRN_ALTER_EXTRA = 1u << 7,
    /** The column moves (only for a dialect with CAIRN_CAP_COLUMN_ORDER):
     *  an ALTER_COLUMN with this flag alone, planned after the drops and
     *  before the adds of its table, one per column that moves, in the new
     *  order; the driver puts the column, as it is (from.column, named
     *  to.column->name), after the nearest earlier column of the new order
     *  that the old table has too, or first. Other changes of the same
     *  column come in an ALTER_COLUMN of their own. Since ABI 1.3. */
    CAIRN_ALTER_POSITION = 1u << 8,
    /** A NOT VALID check or foreign key becomes valid (ALTER_CHECK,
     *  ALTER_FOREIGN_KEY): the rows are checked, the constraint stays. The
     *  other way (valid to NOT VALID) is no change: a valid constraint
     *  already holds for every row. Since ABI 1.5. */
    CAIRN_ALTER_VALIDATE = 1u << 9,
    /** The name of a NOT NULL constraint changes, the column staying NOT
     *  NULL (cairn_column.not_null_name): only to a name the new schema
     *  gives (to.column's is never NULL), from the old one's or, NULL, the
     *  server's own. Since ABI 1.5. */
    CAIRN_ALTER_NOT_NULL_NAME = 1u << 10
};

/** Flags of a change (bit set). */
enum {
    /** Running it can lose data (drop table or column, narrowing type). */
    CAIRN_CHANGE_DESTRUCTIVE = 1u << 0
};

/** A pointer to the object a change is about, typed by the change kind. */
typedef union cairn_change_obj {
    const void *ptr;
    const char *name;
    const cairn_table *table;
    const cairn_column *column;
    const cairn_key *key;
    const cairn_check *check;
    const cairn_fkey *fkey;
    const cairn_index *index;
    const cairn_trigger *trigger;
    const cairn_view *view;
    const cairn_enum *enm;
    const cairn_sequence *sequence;
    const cairn_object *object;
} cairn_change_obj;

typedef struct cairn_change {
    cairn_change_kind kind;
    /** CAIRN_CHANGE_* flags. */
    uint32_t flags;
    /** CAIRN_ALTER_* flags, for ALTER_COLUMN. */
    uint32_t alter;
    /** The table the change is about, in the old and in the new schema
     *  (either NULL where it does not exist there; both NULL for changes
     *  that are not about a table). */
    const cairn_table *table_from;
    const cairn_table *table_to;
    /** The object before and after (see the kind for which are set). */
    cairn_change_obj from;
    cairn_change_obj to;
    /** For destructive changes: a one-line human warning. */
    const char *warning;
    /* ABI 1.0 ends here: append only. */
} cairn_change;

typedef struct cairn_plan {
    /** The schema the plan starts from and the one it reaches. */
    const cairn_schema *from;
    const cairn_schema *to;
    cairn_change **changes;
    size_t nchanges;
    /* ABI 1.0 ends here: append only. */
    /** The drops left out (cairn_diff_opts.keep_drops), as the plan without
     *  the option would have made them; not in `changes`, never emitted.
     *  Since ABI 1.5. */
    cairn_change **skipped;
    size_t nskipped;
} cairn_plan;

#ifdef __cplusplus
}
#endif
#endif
