/*
 * Fleets: one migrations folder, many databases.
 *
 * The targets come from a JSON file ("targets": [{name, url, tags,
 * namespace}]) or from a query on a control database. The folder is read
 * and checked once and lent to every target's run. Each target runs in a
 * worker thread with a context of its own (a clone of the caller's
 * settings with the target's url), so it takes its own connection, lock
 * and history exactly as the single command does. The calling thread hands
 * out targets, logs one line per target as it ends and decides what runs
 * next (canary first; after a failure, nothing new unless asked).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "internal.h"

typedef struct target {
    char *name, *url, *ns, *tags; /* tags: ",a,b," for a cheap membership test */
    char *lock;                   /* its lock_strategy, or NULL */
    int selected;                 /* a job runs it: its result keeps `name` */
} target;

typedef struct tlist {
    target *v;
    size_t n;
} tlist;

static void tlist_free(tlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].url);
        free(l->v[i].ns);
        free(l->v[i].tags);
        free(l->v[i].lock);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ${VAR} in a target's url, as in cairn.json: from the environment or the
 * project's .env. */
static char *expand(cairn_ctx *cx, const char *in, const char *where)
{
    char *out = NULL;
    return cairn_ctx_expand(cx, in, &out, where, 0, 0) ? NULL : out;
}

static int add_target(cairn_ctx *cx, tlist *l, const char *name, const char *url,
                      const char *tags, const char *ns, const char *lock, const char *where)
{
    if (lock && strcmp(lock, "advisory") && strcmp(lock, "lease"))
        return cairn_err(cx, CAIRN_ECONFIG, "%s: \"lock_strategy\" must be \"advisory\" or "
                         "\"lease\"", where);
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            return cairn_err(cx, CAIRN_ECONFIG, "%s: target \"%s\" is named twice", where, name);
    target *nv = realloc(l->v, (l->n + 1) * sizeof *nv);
    if (!nv)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    l->v = nv;
    target *t = &l->v[l->n];
    memset(t, 0, sizeof *t);
    char tagbuf[4096];
    snprintf(tagbuf, sizeof tagbuf, ",%s,", tags ? tags : "");
    t->name = strdup(name);
    t->url = expand(cx, url, where);
    t->ns = ns ? strdup(ns) : NULL;
    t->tags = strdup(tagbuf);
    t->lock = lock ? strdup(lock) : NULL;
    l->n++;
    if (!t->url)
        return cx->err.code;
    if (!t->name || !t->tags || (ns && !t->ns) || (lock && !t->lock))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    return 0;
}

/* "targets": [{"name", "url", "tags": [...], "namespace"}] of a JSON file. */
static int targets_from_file(cairn_ctx *cx, const char *path, tlist *l)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return cairn_err_at(cx, CAIRN_ECONFIG, path, je.line > 0 ? je.line : 0,
                            je.column > 0 ? je.column : 0, "%s", je.text);
    json_t *arr = json_is_array(root) ? root : json_object_get(root, "targets");
    int rc = 0;
    if (!json_is_array(arr))
        rc = cairn_err_at(cx, CAIRN_ECONFIG, path, 0, 0,
                          "no \"targets\" array (a list of {\"name\", \"url\"})");
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) {
        if (rc)
            break;
        char where[600];
        snprintf(where, sizeof where, "%s: targets[%zu]", path, i);
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *url = json_string_value(json_object_get(o, "url"));
        json_t *tags = json_object_get(o, "tags"), *ns = json_object_get(o, "namespace");
        json_t *lock = json_object_get(o, "lock_strategy");
        const char *key;
        json_t *v;
        if (!json_is_object(o)) {
            rc = cairn_err(cx, CAIRN_ECONFIG, "%s: expected an object", where);
            break;
        }
        json_object_foreach(o, key, v)
            if (!rc && strcmp(key, "name") && strcmp(key, "url") && strcmp(key, "tags") &&
                strcmp(key, "namespace") && strcmp(key, "lock_strategy"))
                rc = cairn_err(cx, CAIRN_ECONFIG, "%s: unknown key \"%s\"", where, key);
        if (rc)
            break;
        if (!name || !*name || !url || !*url) {
            rc = cairn_err(cx, CAIRN_ECONFIG, "%s: needs a \"name\" and a \"url\" (strings)",
                           where);
            break;
        }
        if ((tags && !json_is_array(tags)) || (ns && !json_is_string(ns)) ||
            (lock && !json_is_string(lock))) {
            rc = cairn_err(cx, CAIRN_ECONFIG, "%s: \"tags\" is a list of strings, \"namespace\" "
                           "and \"lock_strategy\" strings", where);
            break;
        }
        cairn_buf tb;
        cairn_buf_init(&tb);
        size_t k;
        json_t *tag;
        json_array_foreach(tags, k, tag) {
            if (!json_is_string(tag) || strchr(json_string_value(tag), ',')) {
                rc = cairn_err(cx, CAIRN_ECONFIG, "%s: tags[%zu]: expected a string without ','",
                               where, k);
                break;
            }
            cairn_buf_printf(&tb, "%s%s", k ? "," : "", json_string_value(tag));
        }
        if (!rc)
            rc = add_target(cx, l, name, url, cairn_buf_cstr(&tb), json_string_value(ns),
                            json_string_value(lock), where);
        cairn_buf_release(&tb);
    }
    json_decref(root);
    if (!rc && l->n == 0)
        rc = cairn_err_at(cx, CAIRN_ECONFIG, path, 0, 0, "\"targets\" is empty");
    return rc;
}

typedef struct qrows {
    cairn_ctx *cx;
    tlist *l;
    int rc;
    size_t row;
} qrows;

static int target_row(void *ud, size_t ncols, const char *const *v)
{
    qrows *q = ud;
    char where[64];
    snprintf(where, sizeof where, "--targets-query row %zu", ++q->row);
    if (ncols < 2 || !v[0] || !v[1] || !*v[0] || !*v[1])
        return q->rc = cairn_err(q->cx, CAIRN_ECONFIG,
                                 "%s: expected the columns name, url (not NULL)", where);
    return q->rc = add_target(q->cx, q->l, v[0], v[1], ncols > 2 ? v[2] : NULL,
                              ncols > 3 ? v[3] : NULL, NULL, where);
}

/* The targets a control database lists: its own context, its own driver
 * (the control database may be of another dialect than the fleet). */
static int targets_from_query(cairn_ctx *cx, const char *url, const char *sql, tlist *l)
{
    cairn_ctx *qc = NULL;
    if (cairn_ctx_clone(cx, &qc))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    qc->shared_folder = NULL;
    cairn_ctx_set(qc, "dialect", NULL);
    free(qc->set_file[CAIRN_SET_DIALECT]);
    qc->set_file[CAIRN_SET_DIALECT] = NULL;
    int rc = cairn_ctx_set(qc, "url", url);
    cairn_session *s = NULL;
    cairn_conn *c = NULL;
    if (!rc)
        rc = cairn_session_get(qc, &s);
    if (!rc)
        rc = cairn_session_connect(qc, s, &c);
    qrows q = {cx, l, 0, 0};
    if (!rc) {
        rc = cairn_conn_query(c, sql, target_row, &q);
        if (q.rc)
            rc = q.rc;
    }
    if (rc && !q.rc) {
        char *red = cairn_url_redact(url);
        cairn_err(cx, rc, "--targets-from-url %s: %s", red ? red : "(url)",
                  cairn_ctx_error(qc)->message ? cairn_ctx_error(qc)->message : "failed");
        free(red);
    }
    cairn_conn_close(c);
    cairn_ctx_free(qc);
    if (!rc && l->n == 0)
        rc = cairn_err(cx, CAIRN_ECONFIG, "--targets-query returned no targets");
    return rc;
}

/* ---- the run ------------------------------------------------------------------ */

typedef struct job {
    const target *t;
    cairn_target_result *res;
    int started, done;
    /* filled by the worker: */
    char *from, *to, *state, *message;
    cairn_status_row *open; /* its unapplied migrations (read_position) */
    size_t nopen;
} job;

typedef struct fleet {
    cairn_ctx *cx;
    const cairn_fleet_opts *o;
    const char *to; /* migrate's `to` (cairn_fleet_to), or NULL */
    job *jobs;
    size_t njobs;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;      /* next job to hand out */
    size_t limit;     /* jobs below this may be handed out */
    size_t finished;  /* jobs done, not yet reported */
    int stop;
} fleet;


typedef struct tally {
    const char *counts; /* the action counted: "applied", "rolled-back" */
    size_t applied, statements;
} tally;

static void count_event(void *ud, const cairn_event *e)
{
    tally *t = ud;
    if (e->kind == CAIRN_EVENT_MIGRATION && e->action && !strcmp(e->action, t->counts)) {
        t->applied++;
        t->statements += e->statements_done;
    }
}

static int unapplied(cairn_mstate st)
{
    return st == CAIRN_MIGRATION_PENDING || st == CAIRN_MIGRATION_MODIFIED ||
           st == CAIRN_MIGRATION_MISSING || st == CAIRN_MIGRATION_PARTIAL;
}

/* The newest applied migration, how many are pending, and the rows of the
 * migrations not (or not cleanly) applied, in the status's order: what
 * status --targets draws as its matrix. *open replaces what it held. */
static int read_position(cairn_ctx *tc, const char *upto, char **newest, size_t *pending,
                         cairn_status_row **open, size_t *nopen)
{
    cairn_status_row *rows = NULL;
    size_t n = 0, kept = 0;
    const char *last = NULL;
    int rc = cairn_status(tc, &rows, &n);
    *pending = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (rows[i].state == CAIRN_MIGRATION_PENDING)
            *pending += !upto || strcmp(rows[i].name, upto) <= 0;
        else if (rows[i].state != CAIRN_MIGRATION_MISSING)
            last = rows[i].name;
    }
    *newest = last ? strdup(last) : NULL;
    /* the unapplied rows move to the front; the rest are freed */
    for (size_t i = 0; !rc && i < n; i++) {
        if (unapplied(rows[i].state)) {
            cairn_status_row row = rows[i];
            rows[i] = rows[kept];
            rows[kept++] = row;
        }
    }
    cairn_status_free(*open, *nopen);
    *open = NULL;
    *nopen = 0;
    if (!rc && kept) {
        for (size_t i = kept; i < n; i++) {
            free((char *)rows[i].name);
            free((char *)rows[i].applied_at);
        }
        *open = rows;
        *nopen = kept;
    } else {
        cairn_status_free(rows, n);
    }
    return rc;
}

/* A network url ("scheme://...") with connect_timeout=S added, unless it
 * has one; NULL when nothing is added. */
static char *with_timeout(const char *url, int seconds)
{
    if (seconds <= 0 || !strstr(url, "://") || strstr(url, "connect_timeout="))
        return NULL;
    size_t n = strlen(url) + 40;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s%cconnect_timeout=%d", url, strchr(url, '?') ? '&' : '?', seconds);
    return out;
}

static const char *failed_state(int code)
{
    return code == CAIRN_EDB || code == CAIRN_ECONFIG ? "unreachable" : "failed";
}

static void run_job(fleet *f, job *j)
{
    const cairn_fleet_opts *o = f->o;
    cairn_target_result *r = j->res;
    int64_t t0 = cairn_mono_ms();
    cairn_ctx *tc = NULL;
    tally tl = {o->op == CAIRN_FLEET_ROLLBACK ? "rolled-back" : "applied", 0, 0};
    int rc = cairn_ctx_clone(f->cx, &tc);
    if (rc) {
        r->code = CAIRN_ENOMEM;
        j->state = strdup("failed");
        j->message = strdup("out of memory");
        return;
    }
    char *url = with_timeout(j->t->url, o->connect_timeout);
    cairn_ctx_set(tc, "url", url ? url : j->t->url);
    free(url);
    if (j->t->ns)
        cairn_ctx_set(tc, "migrations_schema", j->t->ns);
    if (j->t->lock)
        cairn_ctx_set(tc, "lock_strategy", j->t->lock);
    cairn_ctx_set_event_handler(tc, count_event, &tl);
    size_t pending = 0;
    /* pending: those this run would apply (up to migrate's `to`) */
    rc = read_position(tc, o->op == CAIRN_FLEET_MIGRATE ? f->to : NULL, &j->from, &pending,
                       &j->open, &j->nopen);
    int reached = rc == 0;
    const char *state = NULL;
    if (!rc) {
        switch (o->op) {
        case CAIRN_FLEET_MIGRATE:
            rc = pending ? cairn_migrate_to(tc, &o->migrate, f->to) : 0;
            state = o->migrate.dry_run ? (pending ? "behind" : "up-to-date")
                                       : (pending ? "migrated" : "up-to-date");
            break;
        case CAIRN_FLEET_STATUS:
            rc = cairn_ctx_checking(f->cx) && pending ? CAIRN_EPENDING : 0;
            state = pending ? "behind" : "up-to-date";
            break;
        case CAIRN_FLEET_ROLLBACK:
            rc = cairn_rollback(tc, &o->rollback);
            state = "rolled-back";
            break;
        case CAIRN_FLEET_DRIFT:
            rc = cairn_drift(tc);
            state = rc == CAIRN_EPENDING ? "drifted" : "up-to-date";
            break;
        case CAIRN_FLEET_BASELINE:
            rc = cairn_baseline(tc, o->baseline_name, o->force);
            state = "baselined";
            break;
        }
    }
    if (rc == CAIRN_EPENDING && (o->op == CAIRN_FLEET_DRIFT || o->op == CAIRN_FLEET_STATUS)) {
        r->code = rc; /* a finding, not a failure */
    } else if (rc == CAIRN_EPENDING && o->op == CAIRN_FLEET_MIGRATE) {
        r->code = rc; /* --check: it has migrations to apply */
        state = "behind";
    } else if (rc) {
        r->code = rc;
        state = reached ? "failed" : failed_state(rc);
        const char *m = cairn_ctx_error(tc)->message;
        j->message = strdup(m ? m : "failed");
    }
    if (reached && o->op != CAIRN_FLEET_STATUS && o->op != CAIRN_FLEET_DRIFT) {
        cairn_err_clear(tc);
        cairn_ctx_set_event_handler(tc, NULL, NULL);
        char *after = NULL;
        size_t left = 0;
        if (read_position(tc, NULL, &after, &left, &j->open, &j->nopen) == 0) {
            j->to = after;
            pending = left;
        } else {
            free(after);
            j->to = j->from ? strdup(j->from) : NULL;
        }
    } else {
        j->to = j->from ? strdup(j->from) : NULL;
    }
    j->state = strdup(state ? state : "failed");
    r->applied = tl.applied;
    r->statements = tl.statements;
    r->pending = pending;
    r->duration_ms = cairn_mono_ms() - t0;
    cairn_ctx_free(tc);
}

static int job_failed(const job *j)
{
    return j->res->code && j->res->code != CAIRN_EPENDING;
}

static void *worker(void *arg)
{
    fleet *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->stop && f->next >= f->limit && f->next < f->njobs)
            pthread_cond_wait(&f->cv, &f->mu);
        if (f->stop || f->next >= f->njobs)
            break;
        job *j = &f->jobs[f->next++];
        j->started = 1;
        pthread_mutex_unlock(&f->mu);
        run_job(f, j);
        pthread_mutex_lock(&f->mu);
        /* a failure starts no other target (unless asked, and never after
         * a failed canary): decided here, before this worker takes another */
        size_t k = (size_t)(j - f->jobs);
        if (job_failed(j) && (!f->o->continue_on_error || k < (size_t)f->o->canary))
            f->stop = 1;
        j->done = 1;
        f->finished++;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}


/* One line per target as it ends, in the calling thread. */
static void report(fleet *f, job *j, size_t k)
{
    cairn_target_result *r = j->res;
    r->state = j->state;
    r->from = j->from;
    r->to = j->to;
    r->message = j->message;
    r->unapplied = j->open;
    r->nunapplied = j->nopen;
    int quiet = f->o->op == CAIRN_FLEET_STATUS || f->o->op == CAIRN_FLEET_DRIFT;
    if (job_failed(j))
        cairn_log(f->cx, CAIRN_LOG_WARN, "[%zu/%zu] %s: %s: %s", k, f->njobs, r->name, r->state,
                  r->message ? r->message : "");
    else
        cairn_log(f->cx, quiet ? CAIRN_LOG_DEBUG : CAIRN_LOG_INFO, "[%zu/%zu] %s: %s (%s -> %s, %zu applied, %zu "
                  "statements, %lld ms)", k, f->njobs, r->name, r->state,
                  r->from ? r->from : "none", r->to ? r->to : "none", r->applied,
                  r->statements, (long long)r->duration_ms);
}

static int load_targets(cairn_ctx *cx, const cairn_fleet_opts *o, tlist *all)
{
    if (o->targets_url || o->targets_query) {
        if (!o->targets_url || !o->targets_query)
            return cairn_err(cx, CAIRN_EUSAGE,
                             "--targets-from-url and --targets-query go together");
        return targets_from_query(cx, o->targets_url, o->targets_query, all);
    }
    const char *file = o->targets_file ? o->targets_file : cx->config_path;
    if (!file)
        return cairn_err(cx, CAIRN_ECONFIG, "no targets: give --targets FILE, or \"targets\" in "
                         "cairn.json");
    if (!cairn_file_exists(file))
        return cairn_err(cx, CAIRN_ECONFIG, "%s: no such targets file", file);
    return targets_from_file(cx, file, all);
}

/* The folder, read and checked once for every target. */
static int share_folder(cairn_ctx *cx, cairn_shared_folder *sf)
{
    memset(sf, 0, sizeof *sf);
    sf->out = cairn_ctx_get(cx, "out");
    int rc = cairn_folder_list_existing(cx, sf->out, &sf->list, &sf->n);
    if (!rc)
        rc = cairn_folder_load_all(cx, sf->list, sf->n);
    if (!rc)
        rc = cairn_graph_load(cx, sf->out, &sf->g);
    return rc;
}

int cairn_fleet(cairn_ctx *cx, const cairn_fleet_opts *o, cairn_target_result **results,
                size_t *count)
{
    return cairn_fleet_to(cx, o, NULL, results, count);
}

int cairn_fleet_to(cairn_ctx *cx, const cairn_fleet_opts *o, const char *to,
                   cairn_target_result **results, size_t *count)
{
    *results = NULL;
    *count = 0;
    if (to && o->op != CAIRN_FLEET_MIGRATE)
        return cairn_err(cx, CAIRN_EUSAGE, "cairn_fleet_to: `to` is for CAIRN_FLEET_MIGRATE");
    tlist all = {NULL, 0};
    int rc = load_targets(cx, o, &all);
    if (rc) {
        tlist_free(&all);
        return rc;
    }
    fleet f = {.cx = cx, .o = o, .to = to};
    f.jobs = calloc(all.n, sizeof *f.jobs);
    cairn_target_result *res = calloc(all.n, sizeof *res);
    if (!f.jobs || !res) {
        free(f.jobs);
        free(res);
        tlist_free(&all);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    char tagpat[300];
    snprintf(tagpat, sizeof tagpat, ",%s,", o->tag ? o->tag : "");
    for (size_t i = 0; i < all.n; i++)
        if (!o->tag || strstr(all.v[i].tags, tagpat)) {
            job *j = &f.jobs[f.njobs];
            all.v[i].selected = 1;
            j->t = &all.v[i];
            j->res = &res[f.njobs++];
            j->res->name = all.v[i].name;
            j->res->url = cairn_url_redact(all.v[i].url);
        }
    cairn_shared_folder sf;
    memset(&sf, 0, sizeof sf);
    if (!f.njobs)
        rc = cairn_err(cx, CAIRN_EUSAGE, "no target has the tag \"%s\"", o->tag);
    /* Load the dialect once in this thread: a client library's process-wide
     * start-up (mysql_library_init) must not race between workers. With no
     * dialect or url configured, the first target's url names it. */
    cairn_session *s;
    int borrowed_url = !rc && !cairn_ctx_get(cx, "dialect") && !cairn_ctx_get(cx, "url");
    if (borrowed_url)
        rc = cairn_ctx_set(cx, "url", f.jobs[0].t->url);
    if (!rc)
        rc = cairn_session_get(cx, &s);
    if (borrowed_url)
        cairn_ctx_set(cx, "url", NULL);
    if (!rc)
        rc = share_folder(cx, &sf);
    if (!rc && to && cairn_folder_find(sf.list, sf.n, to) == sf.n)
        rc = cairn_err(cx, CAIRN_EUSAGE, "migrate --to: no migration %s in %s; no target was "
                       "touched", to, cairn_ctx_get(cx, "out"));
    if (rc) {
        cairn_folder_free(sf.list, sf.n);
        cairn_graph_free(&sf.g);
        for (size_t i = 0; i < f.njobs; i++)
            free((char *)res[i].url);
        free(res);
        free(f.jobs);
        tlist_free(&all);
        return rc;
    }
    cx->shared_folder = &sf;
    size_t nthreads = o->parallel > 1 ? (size_t)o->parallel : 1;
    if (nthreads > f.njobs)
        nthreads = f.njobs;
    pthread_t *th = calloc(nthreads, sizeof *th);
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);
    f.limit = o->canary > 0 && (size_t)o->canary < f.njobs ? (size_t)o->canary : f.njobs;
    size_t started = 0;
    for (size_t i = 0; th && i < nthreads; i++)
        if (pthread_create(&th[i], NULL, worker, &f) == 0)
            started++;
    if (!started) {
        f.stop = 1;
        rc = cairn_err(cx, CAIRN_EGENERIC, "cannot start a worker thread");
    }
    size_t reported = 0, failed = 0;
    pthread_mutex_lock(&f.mu);
    while (started && reported < f.njobs) {
        /* report every job that ended, in the order they were handed out,
         * until a pass finds none: a job that ends while one is reported
         * (the lock let go) broadcasts to no one, and a job before it in
         * the list would otherwise wait for a wake-up that never comes */
        for (int again = 1; again;) {
            again = 0;
            for (size_t k = 0; k < f.njobs; k++) {
                job *j = &f.jobs[k];
                if (j->done && !j->res->state) {
                    pthread_mutex_unlock(&f.mu);
                    report(&f, j, ++reported);
                    pthread_mutex_lock(&f.mu);
                    again = 1;
                    if (job_failed(j)) {
                        failed++;
                        if (!o->continue_on_error || k < (size_t)o->canary)
                            f.stop = 1;
                    }
                }
            }
        }
        /* the canary went well: open the rest */
        if (!f.stop && f.limit < f.njobs && reported >= f.limit) {
            f.limit = f.njobs;
            pthread_cond_broadcast(&f.cv);
        }
        if (f.stop) {
            pthread_cond_broadcast(&f.cv);
            int busy = 0;
            for (size_t k = 0; k < f.njobs; k++)
                busy |= f.jobs[k].started && !f.jobs[k].res->state;
            if (!busy)
                break;
        }
        if (reported < f.njobs)
            pthread_cond_wait(&f.cv, &f.mu);
    }
    pthread_mutex_unlock(&f.mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    pthread_mutex_destroy(&f.mu);
    pthread_cond_destroy(&f.cv);
    cx->shared_folder = NULL;
    size_t skipped = 0;
    for (size_t k = 0; k < f.njobs; k++) {
        job *j = &f.jobs[k];
        if (j->done && !j->res->state) /* ended after the stop was seen */
            report(&f, j, ++reported), failed += job_failed(j);
        if (!j->started) {
            j->res->state = strdup("skipped");
            j->res->code = CAIRN_EFLEET;
            skipped++;
        }
    }
    cairn_folder_free(sf.list, sf.n);
    cairn_graph_free(&sf.g);
    /* the results keep the selected targets' names; the list gives up the rest */
    for (size_t i = 0; i < all.n; i++) {
        if (!all.v[i].selected)
            free(all.v[i].name);
        free(all.v[i].url);
        free(all.v[i].ns);
        free(all.v[i].tags);
        free(all.v[i].lock);
    }
    free(all.v);
    free(f.jobs);
    *results = res;
    *count = f.njobs;
    if (rc)
        return rc;
    if (failed || skipped)
        return cairn_err(cx, CAIRN_EFLEET, "%zu of %zu target%s failed%s%s", failed, f.njobs,
                         f.njobs == 1 ? "" : "s", skipped ? ", not started: " : "",
                         skipped ? (o->canary && failed ? "the canary failed" :
                                    "stopped after the first failure "
                                    "(--continue-on-error goes on)") : "");
    return 0;
}

void cairn_fleet_free(cairn_target_result *results, size_t count)
{
    for (size_t i = 0; results && i < count; i++) {
        cairn_target_result *r = &results[i];
        free((char *)r->name);
        free((char *)r->url);
        free((char *)r->from);
        free((char *)r->to);
        free((char *)r->state);
        free((char *)r->message);
        cairn_status_free((cairn_status_row *)r->unapplied, r->nunapplied);
    }
    free(results);
}
