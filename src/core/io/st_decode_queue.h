/* Decoding safetensors tensors while their outputs are still being allocated.
 *
 * Loading a checkpoint into Octave costs two passes over every byte: Octave
 * allocates (and zero-fills, page by page) each output array on the thread
 * that called the gateway, then the data is converted and transposed into
 * it.  Done one after the other, the allocation pass leaves the other cores
 * idle.  This queue overlaps the two: the calling thread publishes output
 * buffers in task order as it allocates them, worker threads decode each
 * task as soon as its buffer is published, and the caller joins the
 * decoding once it has published the last buffer.
 *
 *   st_decode_queue *q = st_queue_start(tasks, n, nthreads);
 *   for (k = 0; k < n; k++) { dst = allocate(k); st_queue_publish(q, k, dst); }
 *   st_queue_finish(q);                 // or st_queue_abort(q) on an error
 *
 * tasks[] stays owned by the caller and must outlive the queue.  If no
 * thread can be started the queue still works: finish decodes everything
 * on the calling thread. */
#ifndef CKA_ST_DECODE_QUEUE_H
#define CKA_ST_DECODE_QUEUE_H

#include "io/safetensors.h"

typedef struct st_decode_task {
    const unsigned char *src; /* the tensor's row-major bytes in the mapped file */
    const st_entry *entry;    /* its dtype (F32, F16, BF16 or F64) and shape */
    int keep16;               /* F16/BF16 kept as 16-bit numbers (st_transpose16) */
    void *dst;                /* float (uint16_t with keep16); set by st_queue_publish */
} st_decode_task;

typedef struct st_decode_queue st_decode_queue;

/* Starts nthreads - 1 workers (the caller is the last decoding thread).
 * Returns NULL only when the queue itself cannot be allocated. */
st_decode_queue *st_queue_start(st_decode_task *tasks, size_t n, int nthreads);

/* Task k gets its output buffer; k must be 0, 1, 2, ... in order. */
void st_queue_publish(st_decode_queue *q, size_t k, void *dst);

/* The caller decodes alongside the workers until every task is done, then
 * joins them and frees the queue.  Every task must have been published. */
void st_queue_finish(st_decode_queue *q);

/* Stops handing out tasks, waits for the ones in progress, joins the
 * workers and frees the queue (no-op for NULL).  After it returns no
 * thread touches any buffer, so the caller may free them. */
void st_queue_abort(st_decode_queue *q);

#endif
