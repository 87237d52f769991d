/* A plan as text, one change per line ("KIND subject", "!" when
 * destructive): how the diff's unit test and the golden cases state the
 * core's plan without any dialect's SQL. Test code only. */
#ifndef CAIRN_TEST_PLAN_TEXT_H
#define CAIRN_TEST_PLAN_TEXT_H

#include "internal.h"

static const char *plan_text_kind(cairn_change_kind k)
{
    static const char *const names[] = {
        "", "CREATE_NAMESPACE", "DROP_NAMESPACE", "CREATE_ENUM", "ALTER_ENUM", "DROP_ENUM",
        "CREATE_SEQUENCE", "ALTER_SEQUENCE", "DROP_SEQUENCE", "CREATE_TABLE", "DROP_TABLE",
        "RENAME_TABLE", "ADD_COLUMN", "DROP_COLUMN", "RENAME_COLUMN", "ALTER_COLUMN",
        "SET_PRIMARY_KEY", "ADD_UNIQUE", "DROP_UNIQUE", "ADD_CHECK", "DROP_CHECK",
        "ADD_FOREIGN_KEY", "DROP_FOREIGN_KEY", "CREATE_INDEX", "DROP_INDEX", "CREATE_TRIGGER",
        "DROP_TRIGGER", "CREATE_VIEW", "DROP_VIEW", "SET_TABLE_COMMENT", "SET_TABLE_OPTIONS",
        "CREATE_OBJECT", "DROP_OBJECT", "REPLACE_OBJECT", "ALTER_KEY", "ALTER_CHECK",
        "ALTER_FOREIGN_KEY", "ALTER_TRIGGER"};
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

/* One line per change: "KIND subject", where the subject is the object's
 * name (table.column for columns, table.name for constraints), plus "!" for
 * a destructive change. */
static void plan_text_change(const cairn_change *c, cairn_buf *b)
{
    const cairn_change_obj *o = c->to.ptr ? &c->to : &c->from;
    const cairn_table *t = c->table_to ? c->table_to : c->table_from;
    cairn_buf_printf(b, "%s ", plan_text_kind(c->kind));
    switch (c->kind) {
    case CAIRN_CHANGE_CREATE_NAMESPACE:
    case CAIRN_CHANGE_DROP_NAMESPACE:
        cairn_buf_puts(b, o->name);
        break;
    case CAIRN_CHANGE_CREATE_ENUM:
    case CAIRN_CHANGE_ALTER_ENUM:
    case CAIRN_CHANGE_DROP_ENUM:
        cairn_buf_puts(b, o->enm->name);
        break;
    case CAIRN_CHANGE_CREATE_SEQUENCE:
    case CAIRN_CHANGE_ALTER_SEQUENCE:
    case CAIRN_CHANGE_DROP_SEQUENCE:
        cairn_buf_puts(b, o->sequence->name);
        break;
    case CAIRN_CHANGE_CREATE_TABLE:
    case CAIRN_CHANGE_DROP_TABLE:
    case CAIRN_CHANGE_SET_TABLE_COMMENT:
    case CAIRN_CHANGE_SET_TABLE_OPTIONS:
        cairn_buf_puts(b, o->table->name);
        break;
    case CAIRN_CHANGE_RENAME_TABLE:
        cairn_buf_printf(b, "%s>%s", c->from.table->name, c->to.table->name);
        break;
    case CAIRN_CHANGE_RENAME_COLUMN:
        cairn_buf_printf(b, "%s.%s>%s", t->name, c->from.column->name, c->to.column->name);
        break;
    case CAIRN_CHANGE_ADD_COLUMN:
    case CAIRN_CHANGE_DROP_COLUMN:
    case CAIRN_CHANGE_ALTER_COLUMN:
        cairn_buf_printf(b, "%s.%s", t->name, o->column->name);
        break;
    case CAIRN_CHANGE_SET_PRIMARY_KEY:
    case CAIRN_CHANGE_ADD_UNIQUE:
    case CAIRN_CHANGE_DROP_UNIQUE:
    case CAIRN_CHANGE_ALTER_KEY:
        cairn_buf_printf(b, "%s.%s", t->name, o->key && o->key->name ? o->key->name : "-");
        break;
    case CAIRN_CHANGE_ADD_CHECK:
    case CAIRN_CHANGE_DROP_CHECK:
    case CAIRN_CHANGE_ALTER_CHECK:
        cairn_buf_printf(b, "%s.%s", t->name, o->check->name ? o->check->name : o->check->expr);
        break;
    case CAIRN_CHANGE_ADD_FOREIGN_KEY:
    case CAIRN_CHANGE_DROP_FOREIGN_KEY:
    case CAIRN_CHANGE_ALTER_FOREIGN_KEY:
        cairn_buf_printf(b, "%s.%s", t->name, o->fkey->name ? o->fkey->name : o->fkey->ref_table);
        break;
    case CAIRN_CHANGE_CREATE_INDEX:
    case CAIRN_CHANGE_DROP_INDEX:
        cairn_buf_printf(b, "%s.%s", t->name, o->index->name);
        break;
    case CAIRN_CHANGE_CREATE_OBJECT:
    case CAIRN_CHANGE_DROP_OBJECT:
    case CAIRN_CHANGE_REPLACE_OBJECT: {
        char label[600];
        cairn_object_label(o->object, label, sizeof label);
        cairn_buf_puts(b, label);
        break;
    }
    case CAIRN_CHANGE_CREATE_TRIGGER:
    case CAIRN_CHANGE_DROP_TRIGGER:
    case CAIRN_CHANGE_ALTER_TRIGGER:
        cairn_buf_printf(b, "%s.%s", t->name, o->trigger->name);
        break;
    case CAIRN_CHANGE_CREATE_VIEW:
    case CAIRN_CHANGE_DROP_VIEW:
        cairn_buf_puts(b, o->view->name);
        break;
    }
    if (c->flags & CAIRN_CHANGE_DESTRUCTIVE)
        cairn_buf_puts(b, "!");
    cairn_buf_puts(b, "\n");
}

/* Every change of `p`, in order. */
static inline void plan_text(const cairn_plan *p, cairn_buf *b)
{
    for (size_t i = 0; i < p->nchanges; i++)
        plan_text_change(p->changes[i], b);
}

#endif
