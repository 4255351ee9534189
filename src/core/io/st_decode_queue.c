/* Decode queue: see st_decode_queue.h. */
#include "io/st_decode_queue.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

struct st_decode_queue {
    st_decode_task *tasks;
    size_t n;
    size_t published; /* tasks[0 .. published) have their buffers */
    size_t next;      /* the next task to hand out */
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t changed;
    int nworkers;
    pthread_t workers[];
};

/* Takes published tasks until all are handed out (or the queue stops). */
static void run_tasks(st_decode_queue *q)
{
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->stop && q->next < q->n && q->next >= q->published)
            pthread_cond_wait(&q->changed, &q->mu);
        if (q->stop || q->next >= q->n)
            break;
        const st_decode_task *t = &q->tasks[q->next++];
        pthread_mutex_unlock(&q->mu);
        if (t->keep16)
            st_transpose16(t->src, t->entry->shape, t->entry->ndim, t->dst);
        else
            st_decode(t->src, t->entry->dtype, t->entry->shape, t->entry->ndim, t->dst);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
}

static void *worker_main(void *arg)
{
    run_tasks(arg);
    return NULL;
}

st_decode_queue *st_queue_start(st_decode_task *tasks, size_t n, int nthreads)
{
    int nworkers = nthreads > 1 ? nthreads - 1 : 0;
    if ((size_t)nworkers > n)
        nworkers = (int)n;
    st_decode_queue *q = malloc(sizeof *q + (size_t)nworkers * sizeof(pthread_t));
    if (q == NULL)
        return NULL;
    q->tasks = tasks;
    q->n = n;
    q->published = 0;
    q->next = 0;
    q->stop = 0;
    q->nworkers = 0;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->changed, NULL);
    /* Workers block every signal, so Octave's handlers (Ctrl-C) keep
     * running on the interpreter's thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (int k = 0; k < nworkers; k++) {
        if (pthread_create(&q->workers[q->nworkers], NULL, worker_main, q) != 0)
            break; /* fewer helpers; the caller still decodes everything */
        q->nworkers++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return q;
}

void st_queue_publish(st_decode_queue *q, size_t k, void *dst)
{
    pthread_mutex_lock(&q->mu);
    q->tasks[k].dst = dst;
    q->published = k + 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
}

static void join_and_free(st_decode_queue *q)
{
    for (int k = 0; k < q->nworkers; k++)
        pthread_join(q->workers[k], NULL);
    pthread_cond_destroy(&q->changed);
    pthread_mutex_destroy(&q->mu);
    free(q);
}

void st_queue_finish(st_decode_queue *q)
{
    run_tasks(q);
    join_and_free(q);
}

void st_queue_abort(st_decode_queue *q)
{
    if (q == NULL)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
    join_and_free(q);
}
