/* HEIC/HEIF decoding through the system libheif (Debian's libheif-dev), built
 * only with the `heif` feature. Two functions: the primary image's size, and
 * its decoding to interleaved 8-bit RGB with the container's rotation and
 * mirroring applied (libheif's default), plus its ICC profile if it has one.
 * Errors come back as messages; nothing here exits the process. */

#include <libheif/heif.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void put_msg(char *msg, unsigned long msg_len, const char *m) {
    if (!msg || msg_len == 0) return;
    strncpy(msg, m ? m : "unknown libheif error", msg_len - 1);
    msg[msg_len - 1] = 0;
}

static struct heif_context *open_ctx(const unsigned char *data, unsigned long len,
                                     struct heif_image_handle **hd, char *msg,
                                     unsigned long msg_len) {
    struct heif_context *ctx = heif_context_alloc();
    if (!ctx) {
        put_msg(msg, msg_len, "out of memory");
        return NULL;
    }
    struct heif_error err = heif_context_read_from_memory_without_copy(ctx, data, len, NULL);
    if (err.code != heif_error_Ok) {
        put_msg(msg, msg_len, err.message);
        heif_context_free(ctx);
        return NULL;
    }
    err = heif_context_get_primary_image_handle(ctx, hd);
    if (err.code != heif_error_Ok) {
        put_msg(msg, msg_len, err.message);
        heif_context_free(ctx);
        return NULL;
    }
    return ctx;
}

/* The primary image's size as displayed (after rotation). 0 on success. */
int dr_heif_size(const unsigned char *data, unsigned long len, int *w, int *h, char *msg,
                 unsigned long msg_len) {
    struct heif_image_handle *hd = NULL;
    struct heif_context *ctx = open_ctx(data, len, &hd, msg, msg_len);
    if (!ctx) return -1;
    *w = heif_image_handle_get_width(hd);
    *h = heif_image_handle_get_height(hd);
    heif_image_handle_release(hd);
    heif_context_free(ctx);
    return 0;
}

/* Decodes the primary image if it has at most `max_pixels` pixels. On
 * success (0), *out holds w*h*3 bytes and *icc (maybe NULL) *icc_len bytes,
 * both to be released with dr_free. -2: too many pixels (w, h are set). */
int dr_heif_decode(const unsigned char *data, unsigned long len, unsigned long long max_pixels,
                   unsigned char **out, int *w, int *h, unsigned char **icc,
                   unsigned long *icc_len, char *msg, unsigned long msg_len) {
    *out = NULL;
    *icc = NULL;
    *icc_len = 0;
    struct heif_image_handle *hd = NULL;
    struct heif_context *ctx = open_ctx(data, len, &hd, msg, msg_len);
    if (!ctx) return -1;
    int hw = heif_image_handle_get_width(hd), hh = heif_image_handle_get_height(hd);
    *w = hw;
    *h = hh;
    if (hw <= 0 || hh <= 0 || (unsigned long long)hw * (unsigned long long)hh > max_pixels) {
        heif_image_handle_release(hd);
        heif_context_free(ctx);
        return -2;
    }
    if (heif_image_handle_get_color_profile_type(hd) == heif_color_profile_type_prof ||
        heif_image_handle_get_color_profile_type(hd) == heif_color_profile_type_rICC) {
        size_t n = heif_image_handle_get_raw_color_profile_size(hd);
        if (n > 0 && n < (16u << 20)) {
            unsigned char *p = malloc(n);
            if (p && heif_image_handle_get_raw_color_profile(hd, p).code == heif_error_Ok) {
                *icc = p;
                *icc_len = n;
            } else {
                free(p);
            }
        }
    }
    struct heif_image *img = NULL;
    struct heif_error err =
        heif_decode_image(hd, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL);
    heif_image_handle_release(hd);
    if (err.code != heif_error_Ok) {
        put_msg(msg, msg_len, err.message);
        heif_context_free(ctx);
        free(*icc);
        *icc = NULL;
        *icc_len = 0;
        return -1;
    }
    int stride = 0;
    const uint8_t *plane = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    int iw = heif_image_get_width(img, heif_channel_interleaved);
    int ih = heif_image_get_height(img, heif_channel_interleaved);
    if (!plane || iw <= 0 || ih <= 0 || stride < iw * 3 ||
        (unsigned long long)iw * (unsigned long long)ih > max_pixels) {
        put_msg(msg, msg_len, "the decoded image has an unexpected layout");
        heif_image_release(img);
        heif_context_free(ctx);
        free(*icc);
        *icc = NULL;
        *icc_len = 0;
        return -1;
    }
    unsigned char *buf = malloc((size_t)iw * (size_t)ih * 3);
    if (!buf) {
        put_msg(msg, msg_len, "out of memory");
        heif_image_release(img);
        heif_context_free(ctx);
        free(*icc);
        *icc = NULL;
        *icc_len = 0;
        return -1;
    }
    for (int y = 0; y < ih; y++) {
        memcpy(buf + (size_t)y * (size_t)iw * 3, plane + (size_t)y * (size_t)stride, (size_t)iw * 3);
    }
    *out = buf;
    *w = iw;
    *h = ih;
    heif_image_release(img);
    heif_context_free(ctx);
    return 0;
}
