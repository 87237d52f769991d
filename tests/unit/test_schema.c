/* schema.c and arena.c: construction, lookup, options, deterministic order. */
#include <stdlib.h>

#include "check.h"
#include "internal.h"

int main(void)
{
    cairn_schema *s = cairn_schema_new();
    CHECK(s != NULL, "new");
    cairn_table *b = cairn_schema_add_table(s, NULL, "b");
    cairn_table *a = cairn_schema_add_table(s, NULL, "a");
    cairn_table *z = cairn_schema_add_table(s, "audit", "a");
    CHECK(a && b && z && s->ntables == 3, "tables");
    CHECK(cairn_schema_find_table(s, NULL, "a") == a, "find default ns");
    CHECK(cairn_schema_find_table(s, "audit", "a") == z, "find named ns");
    CHECK(cairn_schema_find_table(s, NULL, "c") == NULL, "absent");

    /* many columns: the pointer array grows inside the arena */
    char name[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "c%04d", i);
        cairn_column *c = cairn_table_add_column(s, a, name);
        CHECK(c != NULL, "column %d", i);
        c->type = cairn_schema_strdup(s, "integer");
    }
    CHECK(a->ncolumns == 1000, "ncolumns %zu", a->ncolumns);
    CHECK(strcmp(a->columns[999]->name, "c0999") == 0, "order kept");
    CHECK(cairn_table_find_column(a, "c0500") == a->columns[500], "find column");
    CHECK(a->columns[0]->default_expr == NULL && a->columns[0]->not_null == 0, "zeroed");

    /* options stay sorted by key; a key is replaced, not duplicated */
    cairn_table_set_option(s, a, "without_rowid", "true");
    cairn_table_set_option(s, a, "strict", "true");
    cairn_table_set_option(s, a, "engine", "InnoDB");
    cairn_table_set_option(s, a, "strict", "false");
    CHECK(a->noptions == 3, "noptions %zu", a->noptions);
    if (a->noptions == 3) {
        CHECK_STR(a->options[0], "engine=InnoDB");
        CHECK_STR(a->options[1], "strict=false");
        CHECK_STR(a->options[2], "without_rowid=true");
    }
    /* a key that is a prefix of another sorts first, whatever the order the
     * two were set in (else every generate saw the options change) */
    cairn_schema *s2 = cairn_schema_new();
    cairn_table *p1 = cairn_schema_add_table(s2, NULL, "p1"), *p2 = cairn_schema_add_table(s2, NULL, "p2");
    cairn_table_set_option(s2, p1, "strict", "1");
    cairn_table_set_option(s2, p1, "s", "x");
    cairn_table_set_option(s2, p2, "s", "x");
    cairn_table_set_option(s2, p2, "strict", "1");
    CHECK(p1->noptions == 2 && p2->noptions == 2, "two options each");
    if (p1->noptions == 2 && p2->noptions == 2) {
        CHECK_STR(p1->options[0], "s=x");
        CHECK_STR(p2->options[0], "s=x");
        CHECK_STR(p1->options[1], "strict=1");
    }
    cairn_table_set_option(s2, p1, "s", "y");
    CHECK(p1->noptions == 2 && strcmp(p1->options[0], "s=y") == 0, "a prefix key is replaced");
    cairn_schema_free(s2);

    cairn_key *pk = cairn_table_set_primary_key(s, a, NULL);
    cairn_key_add_column(s, pk, "c0000");
    CHECK(a->primary_key == pk && pk->ncolumns == 1 && pk->name == NULL, "pk");
    cairn_fkey *fk = cairn_table_add_fkey(s, b, "fk_b_a");
    cairn_fkey_add_columns(s, fk, "x", "c0000");
    fk->ref_table = cairn_schema_strdup(s, "a");
    CHECK(fk->ncolumns == 1 && fk->nref_columns == 1 && fk->on_delete == CAIRN_FK_NO_ACTION, "fk");
    cairn_table_add_check(s, a, NULL, "c0001 > 0");
    cairn_table_add_check(s, a, NULL, "c0000 > 0");
    cairn_table_add_index(s, a, "ix_b");
    cairn_table_add_index(s, a, "ix_a");
    cairn_sequence *q = cairn_schema_add_sequence(s, NULL, "seq");
    CHECK(q && q->start == 1 && q->increment == 1, "sequence defaults");
    CHECK(cairn_schema_add_namespace(s, "audit") == 0 && cairn_schema_add_namespace(s, "audit") == 0 &&
              s->nnamespaces == 1,
          "namespace added once");
    CHECK(cairn_schema_strdup(s, NULL) == NULL, "strdup(NULL) is NULL");

    cairn_schema_sort(s);
    CHECK(strcmp(s->tables[0]->name, "a") == 0 && s->tables[0]->schema == NULL, "default ns first");
    CHECK(strcmp(s->tables[1]->name, "b") == 0, "then b");
    CHECK(s->tables[2] == z, "then audit.a");
    CHECK_STR(a->indexes[0]->name, "ix_a");
    CHECK_STR(a->checks[0]->expr, "c0000 > 0");
    CHECK(strcmp(a->columns[0]->name, "c0000") == 0 && strcmp(a->columns[1]->name, "c0001") == 0,
          "columns keep their order");
    cairn_schema_free(s);
    cairn_schema_free(NULL);
    return check_done();
}
