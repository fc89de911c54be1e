using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Events.Publishing;
using Veltrix.Prizes.Apis;
using Veltrix.Prizes.Claims;
using Veltrix.Prizes.Domain;

using Veltrix.Prizes.Events;

namespace Veltrix.Prizes;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredPrize))]
[JsonSerializable(typeof(Reservation))]
[JsonSerializable(typeof(Voucher))]
[JsonSerializable(typeof(PrizeClaimed))]
[JsonSerializable(typeof(RoutedEvent<PrizeClaimed>))]
[JsonSerializable(typeof(DebitCommand))]
[JsonSerializable(typeof(DebitAnswer))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(CreatePrizeRequest))]
[JsonSerializable(typeof(PrizeView))]
[JsonSerializable(typeof(ClaimRequest))]
[JsonSerializable(typeof(ClaimAccepted))]
[JsonSerializable(typeof(ClaimView))]
internal sealed partial class PrizesJson : JsonSerializerContext;
