/*
 * A small, safe-to-call surface over libjpeg(-turbo): read a header, decode
 * at a reduced DCT scale into a caller-owned buffer, encode RGB. Errors never
 * exit the process: they longjmp back here and come out as a message. A
 * truncated stream (libjpeg's "premature end of data" warning, which would
 * otherwise be padded with grey) is an error.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct dr_err {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  char *msg;
  size_t msg_len;
  int truncated;
  int corrupt;
};

static void dr_error_exit(j_common_ptr cinfo) {
  struct dr_err *e = (struct dr_err *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, e->msg);
  longjmp(e->jump, 1);
}

static void dr_emit_message(j_common_ptr cinfo, int level) {
  struct dr_err *e = (struct dr_err *)cinfo->err;
  int code = cinfo->err->msg_code;
  if (level >= 0) return;
  if (code == JWRN_JPEG_EOF) {
    e->truncated = 1;
  } else if (code == JWRN_HUFF_BAD_CODE || code == JWRN_HIT_MARKER || code == JWRN_MUST_RESYNC ||
             code == JWRN_NOT_SEQUENTIAL) {
    /* Damaged entropy-coded data: libjpeg would carry on and paint garbage. */
    if (!e->corrupt) (*cinfo->err->format_message)(cinfo, e->msg);
    e->corrupt = 1;
  }
}

static void dr_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void dr_init_err(struct dr_err *e, char *msg, size_t msg_len) {
  jpeg_std_error(&e->pub);
  e->pub.error_exit = dr_error_exit;
  e->pub.emit_message = dr_emit_message;
  e->pub.output_message = dr_output_message;
  e->msg = msg;
  e->msg_len = msg_len;
  e->truncated = 0;
  e->corrupt = 0;
  if (msg_len > 0) msg[0] = 0;
}

/* Header: size and colour space. Returns 0 on success. */
int dr_jpeg_header(const unsigned char *data, unsigned long len, int *width, int *height,
                   int *color_space, char *msg, unsigned long msg_len) {
  struct jpeg_decompress_struct cinfo;
  struct dr_err err;
  if (msg_len < JMSG_LENGTH_MAX) return -2;
  dr_init_err(&err, msg, msg_len);
  cinfo.err = &err.pub;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, len);
  jpeg_read_header(&cinfo, TRUE);
  *width = (int)cinfo.image_width;
  *height = (int)cinfo.image_height;
  *color_space = (int)cinfo.jpeg_color_space;
  jpeg_destroy_decompress(&cinfo);
  return 0;
}

/* The output size at num/8 scale (num in 1..=8). */
int dr_jpeg_scaled_size(const unsigned char *data, unsigned long len, int num, int *out_w,
                        int *out_h, char *msg, unsigned long msg_len) {
  struct jpeg_decompress_struct cinfo;
  struct dr_err err;
  if (msg_len < JMSG_LENGTH_MAX) return -2;
  dr_init_err(&err, msg, msg_len);
  cinfo.err = &err.pub;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, len);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = (unsigned int)num;
  cinfo.scale_denom = 8;
  cinfo.out_color_space = JCS_RGB;
  jpeg_calc_output_dimensions(&cinfo);
  *out_w = (int)cinfo.output_width;
  *out_h = (int)cinfo.output_height;
  jpeg_destroy_decompress(&cinfo);
  return 0;
}

/*
 * Decodes at num/8 scale into `out` (RGB, `out_len` must be exactly
 * width*height*3 of dr_jpeg_scaled_size). Returns 0, or -1 with a message,
 * -3 if the stream is truncated, -4 (with a message) if its data is damaged.
 */
int dr_jpeg_decode(const unsigned char *data, unsigned long len, int num, unsigned char *out,
                   unsigned long out_len, char *msg, unsigned long msg_len) {
  struct jpeg_decompress_struct cinfo;
  struct dr_err err;
  JSAMPROW row;
  unsigned long stride;
  if (msg_len < JMSG_LENGTH_MAX) return -2;
  dr_init_err(&err, msg, msg_len);
  cinfo.err = &err.pub;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, len);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = (unsigned int)num;
  cinfo.scale_denom = 8;
  cinfo.out_color_space = JCS_RGB;
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_decompress(&cinfo);
  stride = (unsigned long)cinfo.output_width * 3;
  if (cinfo.output_components != 3 || stride * cinfo.output_height != out_len) {
    snprintf(msg, msg_len, "output buffer does not match the image size");
    jpeg_destroy_decompress(&cinfo);
    return -1;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    row = out + (unsigned long)cinfo.output_scanline * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
    if (err.truncated || err.corrupt) break;
  }
  if (err.corrupt) {
    jpeg_destroy_decompress(&cinfo);
    return -4;
  }
  if (err.truncated) {
    snprintf(msg, msg_len, "the JPEG data ends before the image does (truncated file)");
    jpeg_destroy_decompress(&cinfo);
    return -3;
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return err.truncated ? -3 : 0;
}

/*
 * Encodes RGB to a malloc'd JPEG (free with dr_free). `optimize` asks for
 * Huffman tables fitted to the image: a second pass over every coefficient
 * (about 2.5 times the work of the whole encode on a 3 MP photo) for files 1 to 3 %
 * smaller.
 */
int dr_jpeg_encode(const unsigned char *rgb, int width, int height, int quality, int optimize,
                   unsigned char **out, unsigned long *out_len, char *msg, unsigned long msg_len) {
  struct jpeg_compress_struct cinfo;
  struct dr_err err;
  JSAMPROW row;
  unsigned long stride = (unsigned long)width * 3;
  /* Room for a typical photo at any quality, so the destination rarely grows
     (growing copies the whole buffer each time it doubles). */
  unsigned long guess = (unsigned long)width * (unsigned long)height / 2 + 65536;
  unsigned char *first;
  if (msg_len < JMSG_LENGTH_MAX) return -2;
  dr_init_err(&err, msg, msg_len);
  first = malloc(guess);
  if (first == NULL) {
    snprintf(msg, msg_len, "out of memory for the encoded image");
    return -1;
  }
  *out = first;
  *out_len = guess;
  cinfo.err = &err.pub;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    /* libjpeg frees a buffer it grew into itself; the first one is ours. */
    free(first);
    *out = NULL;
    return -1;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, out, out_len);
  cinfo.image_width = (JDIMENSION)width;
  cinfo.image_height = (JDIMENSION)height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  cinfo.optimize_coding = optimize ? TRUE : FALSE;
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    row = (JSAMPROW)(rgb + (unsigned long)cinfo.next_scanline * stride);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  /* When the data outgrew the first buffer, libjpeg moved it to one of its own. */
  if (*out != first) free(first);
  return 0;
}

void dr_free(void *p) { free(p); }
