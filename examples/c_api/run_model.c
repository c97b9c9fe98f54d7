/* run_model.c - load a compiled model with libaic_runtime, describe it, run
 * it on zero-filled inputs and print the first values of each output.
 *
 *   cc run_model.c -I runtime/include -L build/lib -laic_runtime -o run_model
 *   ./run_model build/tiny_cnn.so
 *
 * Dynamic input dims (-1 in the description) are taken as 1 here.
 */
#include "aic/runtime.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.so\n", argv[0]);
    return 1;
  }
  aic_model *model = NULL;
  if (aic_model_load(argv[1], &model) != AIC_OK) {
    fprintf(stderr, "error: %s\n", aic_last_error());
    return 1;
  }
  const aic_model_info *info = aic_model_describe(model);
  printf("model '%s' (ABI %u): %u inputs, %u outputs\n", info->name,
         info->abi_version, info->num_inputs, info->num_outputs);

  aic_tensor *inputs = calloc(info->num_inputs + 1, sizeof(aic_tensor));
  aic_tensor *outputs = calloc(info->num_outputs + 1, sizeof(aic_tensor));
  int64_t **shapes = calloc(info->num_inputs + 1, sizeof(int64_t *));
  for (uint32_t i = 0; i < info->num_inputs; ++i) {
    const aic_tensor_info *in = &info->inputs[i];
    shapes[i] = calloc(in->rank + 1, sizeof(int64_t));
    size_t count = 1;
    for (int32_t d = 0; d < in->rank; ++d) {
      shapes[i][d] = in->shape[d] < 0 ? 1 : in->shape[d];
      count *= (size_t)shapes[i][d];
    }
    inputs[i].data = calloc(count + 1, aic_element_size(in->elem_type));
    inputs[i].shape = shapes[i];
    inputs[i].rank = in->rank;
    inputs[i].elem_type = in->elem_type;
    printf("input '%s': %s, rank %d\n", in->name,
           aic_element_type_name(in->elem_type), in->rank);
  }

  aic_status status = aic_model_run(model, inputs, info->num_inputs, outputs,
                                    info->num_outputs);
  if (status != AIC_OK) {
    fprintf(stderr, "error: %s: %s\n", aic_status_name(status),
            aic_last_error());
    return 1;
  }
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    printf("output '%s': [", info->outputs[i].name);
    size_t count = 1;
    for (int32_t d = 0; d < outputs[i].rank; ++d) {
      printf(d ? ",%lld" : "%lld", (long long)outputs[i].shape[d]);
      count *= (size_t)outputs[i].shape[d];
    }
    printf("]");
    if (outputs[i].elem_type == AIC_FLOAT32)
      for (size_t k = 0; k < count && k < 4; ++k)
        printf(" %g", ((const float *)outputs[i].data)[k]);
    printf("\n");
    aic_tensor_release(&outputs[i]);
  }

  for (uint32_t i = 0; i < info->num_inputs; ++i) {
    free(inputs[i].data);
    free(shapes[i]);
  }
  free(shapes);
  free(inputs);
  free(outputs);
  aic_model_unload(model);
  return 0;
}
