#include "CImaging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <png.h>

struct ca_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
};

static void ca_jpeg_error_exit(j_common_ptr info) {
    struct ca_jpeg_error *error = (struct ca_jpeg_error *)info->err;
    longjmp(error->jump, 1);
}

static void ca_jpeg_silence(j_common_ptr info, int level) { (void)info; (void)level; }

static int is_jpeg(const unsigned char *d, size_t n) { return n > 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF; }
static int is_png(const unsigned char *d, size_t n) { return n > 8 && png_sig_cmp((png_const_bytep)d, 0, 8) == 0; }

/* Decodes into an RGB buffer (3 bytes a pixel). */
static int decode_jpeg(const unsigned char *data, size_t length, long max_pixels, unsigned char **rgb, int *w, int *h, int header_only) {
    struct jpeg_decompress_struct info;
    struct ca_jpeg_error error;
    unsigned char *volatile pixels = NULL;
    info.err = jpeg_std_error(&error.base);
    error.base.error_exit = ca_jpeg_error_exit;
    error.base.emit_message = ca_jpeg_silence;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        return CA_ERR_FORMAT;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)length);
    jpeg_read_header(&info, TRUE);
    *w = (int)info.image_width;
    *h = (int)info.image_height;
    if (header_only) { jpeg_destroy_decompress(&info); return CA_OK; }
    if ((long)info.image_width * (long)info.image_height > max_pixels) { jpeg_destroy_decompress(&info); return CA_ERR_TOO_LARGE; }
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 3;
    pixels = malloc(stride * info.output_height);
    if (!pixels) { jpeg_destroy_decompress(&info); return CA_ERR_MEMORY; }
    while (info.output_scanline < info.output_height) {
        unsigned char *row = pixels + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    *w = (int)info.output_width;
    *h = (int)info.output_height;
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    *rgb = pixels;
    return CA_OK;
}

static int decode_png(const unsigned char *data, size_t length, long max_pixels, unsigned char **rgb, int *w, int *h, int header_only) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, length)) return CA_ERR_FORMAT;
    *w = (int)image.width;
    *h = (int)image.height;
    if (header_only) { png_image_free(&image); return CA_OK; }
    if ((long)image.width * (long)image.height > max_pixels) { png_image_free(&image); return CA_ERR_TOO_LARGE; }
    image.format = PNG_FORMAT_RGB; /* alpha composed onto the background below */
    png_color background = { 255, 255, 255 };
    unsigned char *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels) { png_image_free(&image); return CA_ERR_MEMORY; }
    if (!png_image_finish_read(&image, &background, pixels, 0, NULL)) { free(pixels); png_image_free(&image); return CA_ERR_FORMAT; }
    *rgb = pixels;
    return CA_OK;
}

int ca_image_size(const unsigned char *data, size_t length, int *width, int *height) {
    if (is_jpeg(data, length)) return decode_jpeg(data, length, 0, NULL, width, height, 1);
    if (is_png(data, length)) return decode_png(data, length, 0, NULL, width, height, 1);
    return CA_ERR_FORMAT;
}

/* Area-average downscale of an RGB buffer. */
static unsigned char *scale(const unsigned char *src, int sw, int sh, int dw, int dh) {
    unsigned char *dst = malloc((size_t)dw * dh * 3);
    if (!dst) return NULL;
    for (int y = 0; y < dh; y++) {
        int y0 = (int)((long)y * sh / dh), y1 = (int)((long)(y + 1) * sh / dh);
        if (y1 <= y0) y1 = y0 + 1;
        for (int x = 0; x < dw; x++) {
            int x0 = (int)((long)x * sw / dw), x1 = (int)((long)(x + 1) * sw / dw);
            if (x1 <= x0) x1 = x0 + 1;
            unsigned long sum[3] = {0, 0, 0}, count = 0;
            for (int yy = y0; yy < y1 && yy < sh; yy++) {
                const unsigned char *row = src + ((size_t)yy * sw + x0) * 3;
                for (int xx = x0; xx < x1 && xx < sw; xx++, row += 3) {
                    sum[0] += row[0]; sum[1] += row[1]; sum[2] += row[2]; count++;
                }
            }
            unsigned char *out = dst + ((size_t)y * dw + x) * 3;
            for (int c = 0; c < 3; c++) out[c] = (unsigned char)(count ? sum[c] / count : 0);
        }
    }
    return dst;
}

static int encode_jpeg(const unsigned char *rgb, int w, int h, int quality, unsigned char **out, size_t *out_length) {
    struct jpeg_compress_struct info;
    struct ca_jpeg_error error;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    info.err = jpeg_std_error(&error.base);
    error.base.error_exit = ca_jpeg_error_exit;
    error.base.emit_message = ca_jpeg_silence;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return CA_ERR_FORMAT;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = (JDIMENSION)w;
    info.image_height = (JDIMENSION)h;
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    info.write_JFIF_header = TRUE;
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)info.next_scanline * w * 3);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *out = buffer;
    *out_length = size;
    return CA_OK;
}

int ca_scale_to_jpeg(const unsigned char *data, size_t length, long max_pixels, int target_width, int quality,
                     unsigned char **out, size_t *out_length, int *out_width, int *out_height) {
    unsigned char *rgb = NULL;
    int w = 0, h = 0, result;
    if (is_jpeg(data, length)) result = decode_jpeg(data, length, max_pixels, &rgb, &w, &h, 0);
    else if (is_png(data, length)) result = decode_png(data, length, max_pixels, &rgb, &w, &h, 0);
    else return CA_ERR_FORMAT;
    if (result != CA_OK) return result;
    if (w <= 0 || h <= 0) { free(rgb); return CA_ERR_FORMAT; }
    int dw = w, dh = h;
    if (target_width > 0 && target_width < w) {
        dw = target_width;
        dh = (int)((long)h * target_width / w);
        if (dh < 1) dh = 1;
    }
    unsigned char *pixels = rgb;
    if (dw != w) {
        pixels = scale(rgb, w, h, dw, dh);
        free(rgb);
        if (!pixels) return CA_ERR_MEMORY;
    }
    result = encode_jpeg(pixels, dw, dh, quality, out, out_length);
    free(pixels);
    if (result == CA_OK) { *out_width = dw; *out_height = dh; }
    return result;
}

int ca_encode_rgb_jpeg(const unsigned char *rgb, int width, int height, int quality, unsigned char **out, size_t *out_length) {
    if (width <= 0 || height <= 0 || !rgb) return CA_ERR_FORMAT;
    return encode_jpeg(rgb, width, height, quality, out, out_length);
}

void ca_free(void *pointer) { free(pointer); }
