# T5's relative position buckets: small offsets get a bucket each, larger
# ones share logarithmically wider buckets, and far ones the last bucket.
import torch

from attention_book import RelativePositionBias, relative_position_bucket

torch.manual_seed(0)
offsets = torch.tensor([0, 1, 7, 8, 12, 16, 32, 64, 127, 128, 1000])
past = relative_position_bucket(-offsets)  # keys before the query
future = relative_position_bucket(offsets)  # keys after it
print("|j - i|:       ", offsets.tolist())
print("bucket, past:  ", past.tolist())
print("bucket, future:", future.tolist())

# one learned scalar per (bucket, head): a bias (H, L, S) for the logits
t5 = RelativePositionBias(num_heads=4, num_buckets=32, max_distance=128)
bias = t5(query_length=300)  # any length: no table runs out
print("bias shape:", tuple(bias.shape))
print("learned parameters:", t5.bias.weight.numel())

# it depends on j - i only: every diagonal of every head is constant
for diag in (-200, -5, 0, 3, 150):
    values = bias.diagonal(offset=diag, dim1=-2, dim2=-1)  # (H, n)
    assert (values == values[:, :1]).all()
print("constant along every diagonal:", True)
