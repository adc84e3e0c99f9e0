#ifndef CIMAGING_H
#define CIMAGING_H

#include <stddef.h>

/* Image scaling for the media library, over the system's libjpeg and libpng.
 *
 * Written as a small C shim because libjpeg reports errors by longjmp, which Swift code must never be
 * jumped across: every libjpeg call happens here, between setjmp and the return. */

/* Result codes. */
#define CA_OK 0
#define CA_ERR_FORMAT 1     /* not a JPEG or PNG, or a structure the decoder refused */
#define CA_ERR_TOO_LARGE 2  /* more pixels than max_pixels */
#define CA_ERR_MEMORY 3

/* Reads the dimensions of a JPEG or PNG without decoding its pixels. */
int ca_image_size(const unsigned char *data, size_t length, int *width, int *height);

/* Decodes a JPEG or PNG (refusing more than max_pixels), scales it down to at most target_width pixels wide
 * (never up) with an area average, flattens transparency onto white, and encodes it as a baseline JPEG of
 * the given quality without any metadata. *out is allocated with malloc; free it with ca_free. */
int ca_scale_to_jpeg(const unsigned char *data, size_t length, long max_pixels, int target_width, int quality,
                     unsigned char **out, size_t *out_length, int *out_width, int *out_height);

/* Encodes an RGB buffer (3 bytes a pixel, rows top to bottom) as a baseline JPEG. */
int ca_encode_rgb_jpeg(const unsigned char *rgb, int width, int height, int quality, unsigned char **out, size_t *out_length);

void ca_free(void *pointer);

#endif
