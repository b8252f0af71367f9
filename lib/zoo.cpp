#include "fermap/zoo.hpp"

#include "fermap/error.hpp"
#include "fermap/layers.hpp"

namespace fermap {

namespace {

Conv2DOptions conv(int filters, int k = 3, int stride = 1, Padding pad = Padding::same,
                   Activation act = Activation::relu) {
  Conv2DOptions o;
  o.filters = filters, o.kernel = {k, k}, o.stride = stride, o.padding = pad, o.activation = act;
  return o;
}

SeparableConv2DOptions separable(int filters) {
  SeparableConv2DOptions o;
  o.filters = filters, o.activation = Activation::relu;
  return o;
}

DenseOptions dense(int units, Activation act) {
  DenseOptions o;
  o.units = units, o.activation = act;
  return o;
}

// Keras ResNet50 uses epsilon 1.001e-5 in every batch norm.
constexpr BatchNormOptions kResnetBn{0.99f, 1.001e-5f};

// Keras' ResNet50 bottleneck block: 1x1 (stride) -> 3x3 -> 1x1 (4f), with a projection shortcut
// on the first block of each stage.
LayerPtr bottleneck(int filters, int stride, bool projection) {
  LayerChain main, shortcut;
  main.add(std::make_unique<Conv2D>(conv(filters, 1, stride, Padding::valid, Activation::linear)));
  main.add(std::make_unique<BatchNormalization>(kResnetBn));
  main.add(std::make_unique<ReLU>());
  main.add(std::make_unique<Conv2D>(conv(filters, 3, 1, Padding::same, Activation::linear)));
  main.add(std::make_unique<BatchNormalization>(kResnetBn));
  main.add(std::make_unique<ReLU>());
  main.add(std::make_unique<Conv2D>(conv(4 * filters, 1, 1, Padding::valid, Activation::linear)));
  main.add(std::make_unique<BatchNormalization>(kResnetBn));
  if (projection) {
    shortcut.add(std::make_unique<Conv2D>(conv(4 * filters, 1, stride, Padding::valid, Activation::linear)));
    shortcut.add(std::make_unique<BatchNormalization>(kResnetBn));
  }
  return std::make_unique<ResidualBlock>(std::move(main), std::move(shortcut));
}

// The paper's Figure 4 with every layer's channels scaled by percent / 100.
Model custom_cnn_scaled(const ZooOptions& options, int percent) {
  auto width = [percent](int channels) { return channels * percent / 100; };
  Model m;
  m.add<Conv2D>(conv(width(32)));
  m.add<Conv2D>(conv(width(64)));
  m.add<BatchNormalization>();
  m.add<MaxPooling2D>();
  m.add<Dropout>(0.25f);
  m.add<Conv2D>(conv(width(96)));
  m.add<Conv2D>(conv(width(96)));
  m.add<BatchNormalization>();
  m.add<MaxPooling2D>();
  m.add<Dropout>(0.25f);
  m.add<SeparableConv2D>(separable(width(128)));
  m.add<SeparableConv2D>(separable(width(128)));
  m.add<BatchNormalization>();
  m.add<MaxPooling2D>();
  m.add<Dropout>(0.25f);
  m.add<Flatten>();
  m.add<Dense>(dense(width(256), Activation::relu));
  m.add<BatchNormalization>();
  m.add<Dropout>(0.5f);
  m.add<Dense>(dense(options.classes, Activation::linear));  // softmax lives in the loss
  m.build({48, 48, 1}, options.seed);
  return m;
}

}  // namespace

Model custom_cnn(const ZooOptions& options) { return custom_cnn_scaled(options, 100); }

Model custom_cnn_wide(const ZooOptions& options) { return custom_cnn_scaled(options, 150); }

// VGG16 has no batch normalisation, so its kernels' scale decides the signal's: with Glorot
// kernels each of its 14 ReLU layers shrinks it and the logits start hundreds of times smaller than
// with He kernels (tests/test_model.cpp), and a Glorot VGG16 stayed on the majority class for its
// whole run (docs/results.md). He kernels keep the scale from layer to layer.
Model vgg16(const ZooOptions& options) {
  Model m;
  const int blocks[5][2] = {{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}};
  for (const auto& block : blocks) {
    for (int i = 0; i < block[1]; ++i) {
      Conv2DOptions o = conv(block[0]);
      o.kernel_init = KernelInit::he_uniform;
      m.add<Conv2D>(o);
    }
    m.add<MaxPooling2D>();
  }
  m.add<Flatten>();
  DenseOptions hidden = dense(512, Activation::relu);
  hidden.kernel_init = KernelInit::he_uniform;
  m.add<Dense>(hidden);
  m.add<Dense>(dense(options.classes, Activation::linear));
  m.build({48, 48, 3}, options.seed);
  return m;
}

Model resnet50(const ZooOptions& options) {
  Model m;
  m.add<ZeroPadding2D>(3);
  m.add<Conv2D>(conv(64, 7, 2, Padding::valid, Activation::linear));
  m.add<BatchNormalization>(kResnetBn);
  m.add<ReLU>();
  m.add<ZeroPadding2D>(1);
  m.add<MaxPooling2D>(MaxPool2DOptions{{3, 3}, 2, Padding::valid});
  const int stages[4][2] = {{64, 3}, {128, 4}, {256, 6}, {512, 3}};
  for (int s = 0; s < 4; ++s)
    for (int b = 0; b < stages[s][1]; ++b)
      m.add(bottleneck(stages[s][0], b == 0 && s > 0 ? 2 : 1, b == 0));
  m.add<GlobalAveragePooling2D>();
  m.add<Dropout>(0.5f);
  m.add<Dense>(dense(options.classes, Activation::linear));
  m.build({48, 48, 3}, options.seed);
  return m;
}

std::vector<std::string> zoo_names() { return {"custom_cnn", "custom_cnn_wide", "vgg16", "resnet50"}; }

Model make_zoo_model(const std::string& name, const ZooOptions& options) {
  if (name == "custom_cnn") return custom_cnn(options);
  if (name == "custom_cnn_wide") return custom_cnn_wide(options);
  if (name == "vgg16") return vgg16(options);
  if (name == "resnet50") return resnet50(options);
  throw ArgumentError("unknown model \"" + name + "\" (expected custom_cnn, custom_cnn_wide, vgg16 or resnet50)");
}

}  // namespace fermap
