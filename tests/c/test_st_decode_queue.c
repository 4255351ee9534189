/* Tests of the decode queue (src/core/io/st_decode_queue.c): every task ends
 * decoded exactly as st_decode does it alone, for any number of threads,
 * with slow publishing, with more threads than tasks, with no task, and
 * an abort part-way leaves the unpublished buffers untouched. */
#include "check.h"
#include "io/st_decode_queue.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NTASK = 9 };

typedef struct fixture {
    unsigned char *bytes[NTASK];
    uint64_t shape[NTASK][2];
    st_entry entry[NTASK];
    st_decode_task task[NTASK];
    float *out[NTASK], *want[NTASK];
} fixture;

/* Tensors of assorted shapes and dtypes, with the expected output of a
 * plain st_decode call. */
static void make_fixture(fixture *f)
{
    static const int dtype[3] = {ST_F32, ST_F16, ST_BF16};
    for (int k = 0; k < NTASK; k++) {
        uint64_t r = 3 + 17 * (uint64_t)k, c = 5 + 11 * (uint64_t)(NTASK - k);
        int dt = dtype[k % 3];
        size_t es = st_dtype_bits(dt) / 8, n = (size_t)(r * c);
        f->bytes[k] = malloc(n * es);
        for (size_t i = 0; i < n * es; i++)
            f->bytes[k][i] = (unsigned char)((i * 37 + (size_t)k * 11) % 61); /* finite values */
        f->shape[k][0] = r;
        f->shape[k][1] = c;
        f->entry[k] = (st_entry){.dtype = dt, .ndim = 2};
        f->entry[k].shape[0] = r;
        f->entry[k].shape[1] = c;
        f->task[k] = (st_decode_task){.src = f->bytes[k], .entry = &f->entry[k]};
        f->want[k] = malloc(n * sizeof(float));
        f->out[k] = malloc(n * sizeof(float));
        for (size_t i = 0; i < n; i++)
            f->out[k][i] = -1.0f;
        st_decode(f->bytes[k], dt, f->shape[k], 2, f->want[k]);
    }
}

static void free_fixture(fixture *f)
{
    for (int k = 0; k < NTASK; k++) {
        free(f->bytes[k]);
        free(f->want[k]);
        free(f->out[k]);
    }
}

static size_t numel(const fixture *f, int k)
{
    return (size_t)(f->shape[k][0] * f->shape[k][1]);
}

static void pause_us(long us)
{
    struct timespec t = {0, us * 1000};
    nanosleep(&t, NULL);
}

static void run_queue(int nthreads, long delay_us)
{
    fixture f;
    make_fixture(&f);
    st_decode_queue *q = st_queue_start(f.task, NTASK, nthreads);
    CHECK(q != NULL, "queue with %d threads", nthreads);
    for (int k = 0; k < NTASK; k++) {
        if (delay_us)
            pause_us(delay_us); /* workers wait for the next buffer */
        st_queue_publish(q, (size_t)k, f.out[k]);
    }
    st_queue_finish(q);
    for (int k = 0; k < NTASK; k++)
        CHECK(memcmp(f.out[k], f.want[k], numel(&f, k) * sizeof(float)) == 0,
              "task %d with %d threads, delay %ld us", k, nthreads, delay_us);
    free_fixture(&f);
}

static void test_one_thread(void) { run_queue(1, 0); }
static void test_two_threads(void) { run_queue(2, 0); }
static void test_more_threads_than_tasks(void) { run_queue(NTASK + 4, 0); }
static void test_slow_publisher(void) { run_queue(3, 2000); }

static void test_no_tasks(void)
{
    st_decode_queue *q = st_queue_start(NULL, 0, 4);
    CHECK(q != NULL, "empty queue");
    st_queue_finish(q);
    q = st_queue_start(NULL, 0, 2);
    st_queue_abort(q);
    st_queue_abort(NULL);
}

static void test_abort_part_way(void)
{
    fixture f;
    make_fixture(&f);
    st_decode_queue *q = st_queue_start(f.task, NTASK, 2);
    for (int k = 0; k < 4; k++)
        st_queue_publish(q, (size_t)k, f.out[k]);
    st_queue_abort(q);
    /* published tasks may or may not have run; the rest were never touched */
    for (int k = 4; k < NTASK; k++)
        for (size_t i = 0; i < numel(&f, k); i++)
            if (f.out[k][i] != -1.0f) {
                CHECK(0, "task %d written after abort", k);
                break;
            }
    for (int k = 0; k < 4; k++) {
        int untouched = f.out[k][0] == -1.0f;
        int done = memcmp(f.out[k], f.want[k], numel(&f, k) * sizeof(float)) == 0;
        CHECK(untouched || done, "task %d half-written", k);
    }
    free_fixture(&f);
}

int main(void)
{
    RUN(test_one_thread);
    RUN(test_two_threads);
    RUN(test_more_threads_than_tasks);
    RUN(test_slow_publisher);
    RUN(test_no_tasks);
    RUN(test_abort_part_way);
    return CHECK_REPORT();
}
