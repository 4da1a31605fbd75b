namespace Personalize.Runtime.Serving;

/// <summary>The campaign this process serves once it is loaded; /readyz and every API request ask it.</summary>
public sealed class CampaignHost
{
    private volatile CampaignState? _state;
    private volatile string _status = "loading the model";

    public CampaignState? State => _state;

    /// <summary>What /readyz says while not ready: loading, or why the last attempt failed.</summary>
    public string Status => _status;

    public void Ready(CampaignState state)
    {
        _state = state;
        _status = "ready";
    }

    public void Waiting(string status) => _status = status;
}
