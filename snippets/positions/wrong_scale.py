# Sinusoids added to token embeddings of a very different size: the
# smaller of the two disappears. PE rows have norm sqrt(d / 2) = 16.
import torch

from attention_book import sinusoidal_encoding

torch.manual_seed(0)
d = 512
pe = sinusoidal_encoding(64, d)  # (64, d)
cos = torch.nn.functional.cosine_similarity
print(f"norm of a PE row: {pe[0].norm():.1f}")
for name, std in (("1/sqrt(d)", d**-0.5), ("1", 1.0), ("sqrt(d)", d**0.5)):
    a, b = torch.randn(2, d) * std  # two token embeddings
    print(f"embedding std {name}, norm {a.norm():.1f}")
    same_token = cos(a + pe[3], a + pe[40], dim=0)  # 1: position lost
    same_place = cos(a + pe[3], b + pe[3], dim=0)  # 1: token lost
    print(f"  cos, one token at positions 3 and 40: {same_token:.2f}")
    print(f"  cos, two tokens at position 3:        {same_place:.2f}")
