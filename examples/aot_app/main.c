/* classify: reads the tiny_cnn model's 1 x 1 x 6 x 6 image (36 numbers)
 * from standard input, runs the model compiled into this program and
 * prints its 3 logits. tiny_cnn.h comes from aic_add_model. */
#include "tiny_cnn.h"

#include <stdio.h>

int main(void) {
  float image[TINY_CNN_INPUT_IMAGE_SIZE];
  for (int i = 0; i < TINY_CNN_INPUT_IMAGE_SIZE; ++i) {
    if (scanf("%f", &image[i]) != 1) {
      fprintf(stderr, "classify: expected %d numbers on standard input\n",
              TINY_CNN_INPUT_IMAGE_SIZE);
      return 1;
    }
  }
  float logits[TINY_CNN_OUTPUT_LOGITS_SIZE];
  if (tiny_cnn_run_typed(image, logits) != 0) {
    fprintf(stderr, "classify: %s\n", tiny_cnn_error());
    return 1;
  }
  printf("%s:", TINY_CNN_OUTPUT_LOGITS_NAME);
  for (int i = 0; i < TINY_CNN_OUTPUT_LOGITS_SIZE; ++i)
    printf(" %.6f", logits[i]);
  printf("\n");
  return 0;
}
