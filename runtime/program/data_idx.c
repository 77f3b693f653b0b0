/*
 * data_idx.c - IDX image and label files, gzip'd or not (Fashion-MNIST):
 * each image's rows are the model's steps, its columns the features.
 */
#include "data_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* IDX magic numbers: unsigned bytes, 3 dimensions (images) or 1 (labels). */
#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_IMAGES_HEADER 16
#define IDX_LABELS_HEADER 8

typedef struct IdxFile {
  gzFile gz;
  const char *path;
  size_t offset; /* uncompressed bytes read so far */
} IdxFile;

static int idx_open(const char *path, IdxFile *f, RnnError *err) {
  f->path = path;
  f->offset = 0;
  errno = 0;
  f->gz = gzopen(path, "rb");
  if (f->gz != NULL) return 0;
  if (errno != 0)
    return rnn_data_open_error(path, errno, err);
  return rnn_data_out_of_memory(path, err);
}

/* Reads up to WANT bytes (fewer only at the end of the file) into BUF;
 * *got says how many. Fails on unreadable or corrupt gzip data. */
static int idx_read(IdxFile *f, void *buf, size_t want, size_t *got, RnnError *err) {
  uint8_t *out = buf;
  *got = 0;
  while (*got < want) {
    size_t chunk = want - *got > (1u << 30) ? (1u << 30) : want - *got;
    int n = gzread(f->gz, out + *got, (unsigned)chunk);
    if (n < 0) {
      int code = Z_OK;
      const char *why = gzerror(f->gz, &code);
      if (code == Z_BUF_ERROR) break; /* a truncated gzip stream: the caller says so */
      char sys[128];
      if (code == Z_ERRNO)
        rnn_data_describe_errno(errno, sys, sizeof sys);
      rnn_error_set(err, "%s: offset %zu: cannot read the data (%s): download the file again",
                    f->path, f->offset + *got, code == Z_ERRNO ? sys : why);
      return -1;
    }
    if (n == 0) break;
    *got += (size_t)n;
  }
  f->offset += *got;
  return 0;
}

static uint32_t big_endian_u32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Reads and checks an IDX header of SIZE bytes with magic MAGIC into
 * HEADER; WHAT is "image" or "label". */
static int idx_read_header(IdxFile *f, uint32_t magic, const char *what, uint8_t *header,
                           size_t size, RnnError *err) {
  size_t got = 0;
  if (idx_read(f, header, size, &got, err) != 0) return -1;
  if (got == 0) {
    rnn_error_set(err, "%s: the file is empty; expected an IDX %s file", f->path, what);
    return -1;
  }
  if (got >= 4 && big_endian_u32(header) != magic) {
    rnn_error_set(err, "%s: offset 0: not an IDX %s file (magic 0x%08x; expected 0x%08x)", f->path,
                  what, (unsigned)big_endian_u32(header), (unsigned)magic);
    return -1;
  }
  if (got < size) {
    rnn_error_set(err,
                  "%s: offset %zu: the file ends inside the IDX header (%zu of %zu bytes): it is "
                  "truncated; download it again",
                  f->path, got, got, size);
    return -1;
  }
  return 0;
}

static int idx_check_model(const RnnModelDesc *d, const char *images, RnnExamples *ex,
                           RnnError *err) {
  if (d->tokens) {
    rnn_error_set(err,
                  "%s: IDX images are real-valued steps: the model needs 'features' input, not "
                  "'vocab'",
                  images);
    return -1;
  }
  return rnn_data_class_targets(d, images, "IDX", ex, err);
}

/* Image rows are the model's steps, columns its features. */
static int idx_check_dims(const char *path, uint32_t count, uint32_t rows, uint32_t cols,
                          const RnnModelDesc *d, RnnError *err) {
  if (count == 0) {
    rnn_error_set(err, "%s: offset 4: the file holds no images; expected at least one", path);
    return -1;
  }
  if (rows != (uint32_t)d->length) {
    rnn_error_set(err,
                  "%s: offset 8: the images have %u rows but the model's length is %d: set "
                  "'length %u' in the spec",
                  path, (unsigned)rows, d->length, (unsigned)rows);
    return -1;
  }
  if (cols != (uint32_t)d->features) {
    rnn_error_set(err,
                  "%s: offset 12: the images have %u columns but the model has %d features: set "
                  "'features %u' in the spec",
                  path, (unsigned)cols, d->features, (unsigned)cols);
    return -1;
  }
  return 0;
}

/* Reads KEEP images of IMAGE_BYTES bytes each into a malloc'd *PIXELS.
 * The buffer grows with what the file really holds (16 MiB at a time), so
 * a damaged header claiming billions of images costs a "truncated" error,
 * not an allocation of the claimed size. */
static int idx_read_pixels(IdxFile *f, size_t keep, size_t image_bytes, uint8_t **pixels,
                           RnnError *err) {
  const size_t chunk = (size_t)1 << 24;
  size_t total = rnn_data_mul_size(keep, image_bytes), got = 0, cap = 0;
  uint8_t *buf = NULL;
  while (got < total) {
    size_t want = total - got < chunk ? total - got : chunk;
    if (got + want > cap) {
      cap = got + want > 2 * cap ? got + want : (2 * cap < total ? 2 * cap : total);
      uint8_t *bigger = realloc(buf, cap);
      if (bigger == NULL) {
        free(buf);
        return rnn_data_out_of_memory(f->path, err);
      }
      buf = bigger;
    }
    size_t n = 0;
    if (idx_read(f, buf + got, want, &n, err) != 0) {
      free(buf);
      return -1;
    }
    got += n;
    if (n < want) break; /* the end of the file */
  }
  if (got < total) {
    rnn_error_set(err,
                  "%s: offset %zu: the file ends after %zu of %zu images: it is truncated; "
                  "download it again",
                  f->path, f->offset, got / image_bytes, keep);
    free(buf);
    return -1;
  }
  *pixels = buf;
  return 0;
}

static int idx_label_range_error(const char *path, size_t offset, int label, int top,
                                 const RnnExamples *ex, const RnnModelDesc *d, RnnError *err) {
  if (ex->classes > 0)
    rnn_error_set(err,
                  "%s: offset %zu: label %d is out of range: the labels go up to %d but the model "
                  "has %d outputs; give the output layer %d units",
                  path, offset, label, top, d->out_units, top + 1);
  else
    rnn_error_set(err,
                  "%s: offset %zu: label %d is out of range: binary cross-entropy takes labels 0 "
                  "and 1",
                  path, offset, label);
  return -1;
}

/* Checks every label against the model and stores them in EX. */
static int idx_store_labels(const char *path, const uint8_t *labels, size_t keep,
                            const RnnModelDesc *d, RnnExamples *ex, RnnError *err) {
  int top = 0;
  for (size_t i = 0; i < keep; i++)
    if (labels[i] > top) top = labels[i];
  for (size_t i = 0; i < keep; i++) {
    if (labels[i] > rnn_data_max_label(ex))
      return idx_label_range_error(path, IDX_LABELS_HEADER + i, labels[i], top, ex, d, err);
    rnn_data_store_class(ex, i, labels[i]);
  }
  return 0;
}

static int idx_read_labels(IdxFile *f, uint32_t images_count, const char *images, size_t keep,
                           const RnnModelDesc *d, RnnExamples *ex, RnnError *err) {
  uint8_t header[IDX_LABELS_HEADER];
  if (idx_read_header(f, IDX_LABELS_MAGIC, "label", header, sizeof header, err) != 0) return -1;
  uint32_t count = big_endian_u32(header + 4);
  if (count != images_count) {
    rnn_error_set(err,
                  "%s: offset 4: %u labels but %s has %u images: pass the label file that belongs "
                  "to the images",
                  f->path, (unsigned)count, images, (unsigned)images_count);
    return -1;
  }
  uint8_t *labels = rnn_data_alloc_array(keep, 1);
  if (labels == NULL)
    return rnn_data_out_of_memory(f->path, err);
  size_t got = 0;
  int rc = idx_read(f, labels, keep, &got, err);
  if (rc == 0 && got < keep) {
    rnn_error_set(err,
                  "%s: offset %zu: the file ends after %zu of %zu labels: it is truncated; "
                  "download it again",
                  f->path, f->offset, got, keep);
    rc = -1;
  }
  if (rc == 0) rc = idx_store_labels(f->path, labels, keep, d, ex, err);
  free(labels);
  return rc;
}

static void fill_full_lengths(RnnExamples *ex) {
  for (size_t i = 0; i < ex->n; i++) ex->lengths[i] = ex->steps;
}

/* Loads IMAGES and LABELS once both files are open. */
static int idx_load_open(IdxFile *img, IdxFile *lab, const RnnModelDesc *d, size_t max,
                         RnnExamples *ex, RnnError *err) {
  uint8_t header[IDX_IMAGES_HEADER];
  if (idx_read_header(img, IDX_IMAGES_MAGIC, "image", header, sizeof header, err) != 0)
    return -1;
  uint32_t count = big_endian_u32(header + 4);
  uint32_t rows = big_endian_u32(header + 8), cols = big_endian_u32(header + 12);
  if (idx_check_dims(img->path, count, rows, cols, d, err) != 0) return -1;
  size_t keep = max > 0 && max < count ? max : count;
  ex->steps = (int)rows;
  ex->features = (int)cols;
  ex->tokens = 0;
  size_t image_bytes = (size_t)rows * cols;
  uint8_t *pixels = NULL;
  if (idx_read_pixels(img, keep, image_bytes, &pixels, err) != 0) return -1;
  if (rnn_data_examples_alloc(ex, keep) != 0) {
    free(pixels);
    return rnn_data_out_of_memory(img->path, err);
  }
  fill_full_lengths(ex);
  for (size_t i = 0; i < keep * image_bytes; i++) ex->x[i] = (float)pixels[i] / 255.0f;
  free(pixels);
  return idx_read_labels(lab, count, img->path, keep, d, ex, err);
}

/* IDX images (magic 0x803: count, rows, cols) and labels (magic 0x801:
 * count), each gzip'd or not (zlib reads both): pixels / 255 as steps x
 * features, labels as class ids (or 0/1 targets for binary cross-entropy).
 * OPT->max > 0 keeps the first MAX examples. */
int rnn_idx_load(const char *images, const char *labels, const RnnModelDesc *d,
                 const RnnLoadOptions *opt, RnnExamples *ex, RnnError *err) {
  size_t max = rnn_data_options(opt)->max;
  memset(ex, 0, sizeof *ex);
  if (idx_check_model(d, images, ex, err) != 0) return -1;
  IdxFile img, lab;
  if (idx_open(images, &img, err) != 0) return -1;
  if (idx_open(labels, &lab, err) != 0) {
    gzclose(img.gz);
    return -1;
  }
  int rc = idx_load_open(&img, &lab, d, max, ex, err);
  gzclose(img.gz);
  gzclose(lab.gz);
  if (rc != 0) rnn_examples_free(ex);
  return rc;
}
