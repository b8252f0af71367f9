// Define a small model of your own, train it on generated data, save it, load it back and predict.
// Build against an installed fermap (see CMakeLists.txt beside this file).
#include <cstdio>
#include <vector>

#include <fermap/layers.hpp>
#include <fermap/loss.hpp>
#include <fermap/model.hpp>
#include <fermap/optim.hpp>
#include <fermap/serialize.hpp>

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "tiny.fmp";

  // 16x16 gray images; class 0 is bright on the left half, class 1 on the right half.
  const int n = 64;
  fermap::Tensor x(fermap::Shape{n, 16, 16, 1});
  std::vector<int> labels(n);
  fermap::Rng rng(42);
  for (int i = 0; i < n; ++i) {
    labels[i] = i % 2;
    for (int r = 0; r < 16; ++r)
      for (int c = 0; c < 16; ++c)
        x[(i * 16 + r) * 16 + c] = rng.uniform(0.0f, 0.3f) + ((c < 8) == (labels[i] == 0) ? 0.7f : 0.0f);
  }

  fermap::Model model;
  model.add<fermap::Conv2D>(fermap::Conv2DOptions{8, {3, 3}, 1, fermap::Padding::same, true, fermap::Activation::relu});
  model.add<fermap::MaxPooling2D>();
  model.add<fermap::Flatten>();
  model.add<fermap::Dense>(fermap::DenseOptions{2, true, fermap::Activation::linear});
  model.build({16, 16, 1}, /*seed=*/1);
  std::printf("%s", model.summary().c_str());

  fermap::Adam adam;
  fermap::Tensor dlogits;
  double loss = 0;
  for (int step = 0; step < 30; ++step) {
    model.zero_grad();
    loss = fermap::softmax_cross_entropy(model.forward(x), labels, {}, dlogits);
    model.backward(dlogits);
    adam.step(model.params(), 1e-2f);
  }
  std::printf("loss after 30 steps: %.4f\n", loss);

  fermap::ModelMeta meta;
  meta.classes = {"left", "right"};
  fermap::save_model(path, model, meta);
  fermap::LoadedModel loaded = fermap::load_model(path);

  fermap::Tensor logits;
  loaded.model.infer(x, logits);
  int correct = 0;
  for (int i = 0; i < n; ++i) correct += (logits[i * 2 + 1] > logits[i * 2]) == (labels[i] == 1);
  std::printf("reloaded model from %s: %d of %d correct\n", path.c_str(), correct, n);
  return correct == n ? 0 : 1;
}
